/** General Order 41-11, "Alert profiles": first-login profile, authorized vs prohibited, administrator exceptions. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { AUTHORIZED_CATEGORIES, PROHIBITED_CATEGORIES } from '../../src/categories.js';
import { ForbiddenError, PolicyError } from '../../src/errors.js';
import { dispatchPermissions } from '../../src/profiles/natsPermissions.js';
import { type Fixture, makeFixture } from './helpers.js';

let f: Fixture;
beforeEach(async () => {
  f = await makeFixture();
});
afterEach(async () => {
  await f.close();
});

const DAY = 86_400_000;
const grant = (expiresInDays = 10) => ({
  username: 'operator',
  category: 'gang_terrorist',
  purpose: 'criminal_investigation',
  justification: 'joint task force surveillance of a named suspect vehicle',
  caseNumber: '2026-04411',
  expiresAt: new Date(f.clock.t + expiresInDays * DAY).toISOString(),
});

describe('Alert profiles', () => {
  it('no alert reaches a user before they establish a profile at first login', () => {
    expect(f.gov.profiles.allowedCategories('operator')).toEqual([]);
    expect(dispatchPermissions([])).toEqual({ publish: { deny: ['>'] }, subscribe: { deny: ['>'] } });
    expect(f.gov.profiles.natsPermissions('operator').subscribe).toEqual({ deny: ['>'] });
    f.gov.profiles.establish(f.actors.operator, ['stolen_vehicle', 'amber_alert']);
    expect(f.gov.profiles.allowedCategories('operator')).toEqual(['amber_alert', 'stolen_vehicle']);
    expect(f.gov.auditLog.query({ action: 'profile.establish' })).toHaveLength(1);
  });

  it('a profile may hold every authorized category and no prohibited one', () => {
    expect(f.gov.profiles.establish(f.actors.operator, [...AUTHORIZED_CATEGORIES]).categories).toHaveLength(7);
    for (const c of PROHIBITED_CATEGORIES) {
      expect(() => f.gov.profiles.establish(f.actors.operator, ['stolen_vehicle', c])).toThrow(PolicyError);
    }
    expect(f.gov.profiles.allowedCategories('operator')).toEqual([...AUTHORIZED_CATEGORIES].sort());
    expect(f.gov.auditLog.query({ action: 'profile.establish', outcome: 'refused' })).toHaveLength(7);
  });

  it('only the administrator grants an exception, with justification, case number and expiry', () => {
    f.gov.profiles.establish(f.actors.operator, ['stolen_vehicle']);
    for (const role of ['operator', 'supervisor', 'records', 'chief', 'auditor'] as const) {
      expect(() => f.gov.profiles.grantException(f.actors[role], grant())).toThrow(ForbiddenError);
    }
    expect(() => f.gov.profiles.grantException(f.actors.administrator, { ...grant(), caseNumber: '' })).toThrow(
      /case number/,
    );
    expect(() =>
      f.gov.profiles.grantException(f.actors.administrator, { ...grant(), justification: 'because' }),
    ).toThrow(/justification|reason/);
    expect(() => f.gov.profiles.grantException(f.actors.administrator, grant(-1))).toThrow(/future/);
    expect(() => f.gov.profiles.grantException(f.actors.administrator, grant(365))).toThrow(/at most/);
    expect(() => f.gov.profiles.grantException(f.actors.administrator, { ...grant(), category: 'warrant' })).toThrow(
      /needs no exception/,
    );
    const ex = f.gov.profiles.grantException(f.actors.administrator, grant());
    expect(f.gov.profiles.allowedCategories('operator')).toEqual(['gang_terrorist', 'stolen_vehicle']);
    expect(f.gov.auditLog.query({ action: 'exception.grant', outcome: 'allowed' }).at(-1)).toMatchObject({
      user: 'administrator',
      caseNumber: '2026-04411',
      purpose: 'criminal_investigation',
      details: { exceptionId: ex.id },
    });
  });

  it('an exception ends by itself at its expiry, and the sweep audits the end', () => {
    f.gov.profiles.establish(f.actors.operator, ['stolen_vehicle']);
    f.gov.profiles.grantException(f.actors.administrator, grant(2));
    f.clock.advance(2 * DAY + 1);
    // Ended before any sweep ran: expiry is checked on every use.
    expect(f.gov.profiles.allowedCategories('operator')).toEqual(['stolen_vehicle']);
    expect(f.gov.profiles.sweepExpired()).toEqual(['operator']);
    expect(f.gov.profiles.sweepExpired()).toEqual([]);
    expect(f.gov.auditLog.query({ action: 'exception.expire' })).toHaveLength(1);
  });

  it('the administrator can revoke an exception early', () => {
    f.gov.profiles.establish(f.actors.operator, ['stolen_vehicle']);
    const ex = f.gov.profiles.grantException(f.actors.administrator, grant());
    expect(() => f.gov.profiles.revokeException(f.actors.supervisor, ex.id)).toThrow(ForbiddenError);
    f.gov.profiles.revokeException(f.actors.administrator, ex.id);
    expect(f.gov.profiles.allowedCategories('operator')).toEqual(['stolen_vehicle']);
  });

  it('NATS permissions allow only the hit subjects of allowed categories and no publishing', () => {
    f.gov.profiles.establish(f.actors.operator, ['warrant', 'stolen_vehicle']);
    expect(f.gov.profiles.natsPermissions('operator')).toEqual({
      publish: { deny: ['>'] },
      subscribe: { allow: ['platewatch.hits.stolen_vehicle.>', 'platewatch.hits.warrant.>'] },
    });
  });
});
