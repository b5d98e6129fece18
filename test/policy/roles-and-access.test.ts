/** General Order 41-11, "Roles and access": designation, training date, login, lockout, tokens. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { AuthError, ForbiddenError, InvalidInputError } from '../../src/errors.js';
import { type Fixture, makeFixture, PASSWORD } from './helpers.js';

let f: Fixture;
beforeEach(async () => {
  f = await makeFixture();
});
afterEach(async () => {
  await f.close();
});

describe('Roles and access', () => {
  it('only the administrator designates users, and a training date is required', async () => {
    const input = {
      username: 'officer.b',
      displayName: 'B',
      role: 'operator' as const,
      trainingDate: '2026-03-01',
      password: PASSWORD,
    };
    for (const role of ['operator', 'supervisor', 'records', 'chief', 'auditor'] as const) {
      await expect(f.gov.users.designate(f.actors[role], input)).rejects.toThrow(ForbiddenError);
    }
    await expect(f.gov.users.designate(f.actors.administrator, { ...input, trainingDate: '' })).rejects.toThrow(
      /trainingDate/,
    );
    await expect(
      f.gov.users.designate(f.actors.administrator, { ...input, trainingDate: '2030-01-01' }),
    ).rejects.toThrow(/in the future/);
    const view = await f.gov.users.designate(f.actors.administrator, input);
    expect(view.trainingDate).toBe('2026-03-01');
    expect(view.designatedBy).toBe('administrator');
    expect(view).not.toHaveProperty('passwordHash');
    const audited = f.gov.auditLog.query({ action: 'user.designate' });
    expect(audited.filter((r) => r.outcome === 'refused').map((r) => r.user)).toEqual([
      'operator',
      'supervisor',
      'records',
      'chief',
      'auditor',
    ]);
    expect(audited.at(-1)).toMatchObject({ user: 'administrator', what: 'officer.b', outcome: 'allowed' });
  });

  it('a login needs the right password; success and failure are both audited', async () => {
    await expect(f.gov.users.login('operator', 'wrong password here')).rejects.toMatchObject({
      code: 'ERR_BAD_CREDENTIALS',
    });
    await expect(f.gov.users.login('nobody', PASSWORD)).rejects.toThrow(AuthError);
    const ok = await f.gov.users.login('operator', PASSWORD);
    expect(ok.token).toMatch(/^pwt_/);
    expect(f.gov.users.authenticate(ok.token)).toEqual(f.actors.operator);
    const logins = f.gov.auditLog.query({ action: 'auth.login' });
    expect(logins.map((r) => [r.what, r.outcome])).toEqual([
      ['operator', 'refused'],
      ['nobody', 'refused'],
      ['operator', 'allowed'],
    ]);
  });

  it('an undesignated or deactivated user cannot log in', async () => {
    f.gov.users.update(f.actors.administrator, 'records', { active: false });
    await expect(f.gov.users.login('records', PASSWORD)).rejects.toMatchObject({ code: 'ERR_NOT_DESIGNATED' });
  });

  it('lockout after repeated failures, for the configured time', async () => {
    const max = f.gov.ctx.config.auth.maxFailedLogins;
    for (let i = 0; i < max; i++) await expect(f.gov.users.login('chief', `bad password ${i}`)).rejects.toThrow();
    await expect(f.gov.users.login('chief', PASSWORD)).rejects.toMatchObject({ code: 'ERR_LOCKED_OUT' });
    expect(f.gov.auditLog.query({ action: 'auth.lockout' })).toHaveLength(1);
    f.clock.advance(f.gov.ctx.config.auth.lockoutMinutes * 60_000 + 1);
    await expect(f.gov.users.login('chief', PASSWORD)).resolves.toHaveProperty('token');
  });

  it('password change is audited, needs the current password, and ends other sessions', async () => {
    const { token } = await f.gov.users.login('auditor', PASSWORD);
    await expect(
      f.gov.users.changePassword(f.actors.auditor, 'not my password', 'a brand new passphrase'),
    ).rejects.toThrow(AuthError);
    await expect(f.gov.users.changePassword(f.actors.auditor, PASSWORD, 'short')).rejects.toThrow(InvalidInputError);
    await f.gov.users.changePassword(f.actors.auditor, PASSWORD, 'a brand new passphrase');
    expect(() => f.gov.users.authenticate(token)).toThrow(AuthError);
    await expect(f.gov.users.login('auditor', 'a brand new passphrase')).resolves.toHaveProperty('token');
    const changes = f.gov.auditLog.query({ action: 'auth.password_change' });
    expect(changes.map((r) => r.outcome)).toEqual(['refused', 'allowed']);
    expect(JSON.stringify(f.gov.auditLog.query())).not.toContain('brand new passphrase');
  });

  it('API tokens expire', async () => {
    const { token } = await f.gov.users.login('operator', PASSWORD);
    f.clock.advance(f.gov.ctx.config.auth.tokenTtlHours * 3_600_000 + 1);
    expect(() => f.gov.users.authenticate(token)).toThrow(/expired/);
    expect(() => f.gov.users.authenticate('pwt_forged')).toThrow(AuthError);
    expect(f.gov.users.purgeExpiredTokens()).toBe(1);
  });
});
