/** General Order 41-11, "Hot list entries": manual entries by supervisors, into the real LMDB hot list. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ForbiddenError, InvalidInputError, PolicyError } from '../../src/errors.js';
import { Governance } from '../../src/governance/Governance.js';
import type { ManualEntryInput } from '../../src/governance/ManualEntries.js';
import { HotlistStore } from '../../src/hotlist/HotlistStore.js';
import { importHotlist } from '../../src/hotlist/importHotlist.js';
import { configDir } from '../../src/paths.js';
import { type Fixture, makeFixture } from './helpers.js';

const DAY = 86_400_000;
let f: Fixture;
let store: HotlistStore;
let gov: Governance;
let storeDir: string;

beforeEach(async () => {
  f = await makeFixture();
  // Reopen the same governance store with the hot list attached (as `platewatch run` does).
  const config = f.gov.ctx.config;
  await f.gov.close();
  storeDir = mkdtempSync(path.join(tmpdir(), 'platewatch-hotlist-'));
  store = new HotlistStore(storeDir);
  gov = new Governance(f.dir, config, { now: () => f.clock.t, scryptCost: 1 << 10, hotlist: store });
  f.gov = gov;
});
afterEach(async () => {
  await store.close();
  rmSync(storeDir, { recursive: true, force: true });
  await f.close();
});

const entry = (over: Partial<ManualEntryInput> = {}): ManualEntryInput => ({
  plate: '8xyz 321',
  state: 'ca',
  category: 'missing_child',
  reason: 'amber_alert',
  details: 'AMBER alert 2026-11-01, grey sedan',
  cjisReference: 'CLETS-99812',
  expiresAt: f.clock.t + 3 * DAY,
  ...over,
});

describe('Hot list entries', () => {
  it('only supervisors add manual entries; the entry matches in the hot list with its CJIS reference', async () => {
    for (const role of ['operator', 'administrator', 'records', 'chief', 'auditor'] as const) {
      await expect(gov.manualEntries.add(f.actors[role], entry())).rejects.toThrow(ForbiddenError);
    }
    const rec = await gov.manualEntries.add(f.actors.supervisor, entry());
    const [match] = store.lookup('8XYZ321', 'CA', f.clock.t);
    expect(match?.entry).toMatchObject({
      plate: '8XYZ321',
      state: 'CA',
      category: 'missing_child',
      source: 'manual',
      recordId: rec.id,
      enteredBy: 'supervisor',
      cjisReference: 'CLETS-99812',
    });
    expect(gov.auditLog.query({ action: 'hotlist.add', outcome: 'allowed' })[0]).toMatchObject({
      user: 'supervisor',
      details: { cjisReference: 'CLETS-99812' },
    });
  });

  it('the CJIS reference, state, a listed reason and an expiry are required; prohibited categories are refused', async () => {
    const sup = f.actors.supervisor;
    await expect(gov.manualEntries.add(sup, entry({ cjisReference: '' }))).rejects.toThrow(/CJIS/);
    await expect(gov.manualEntries.add(sup, entry({ state: '' }))).rejects.toThrow(InvalidInputError);
    await expect(gov.manualEntries.add(sup, entry({ reason: 'hunch' }))).rejects.toThrow(/reason must be one of/);
    await expect(gov.manualEntries.add(sup, entry({ expiresAt: f.clock.t - 1 }))).rejects.toThrow(/future/);
    await expect(gov.manualEntries.add(sup, entry({ expiresAt: f.clock.t + 400 * DAY }))).rejects.toThrow(/at most/);
    await expect(gov.manualEntries.add(sup, entry({ category: 'gang_terrorist' }))).rejects.toThrow(PolicyError);
    expect(store.lookup('8XYZ321', 'CA', f.clock.t)).toEqual([]);
  });

  it('entries are updated or expired when the information changes', async () => {
    const sup = f.actors.supervisor;
    const rec = await gov.manualEntries.add(sup, entry());
    await gov.manualEntries.update(sup, rec.id, entry({ state: 'NV', cjisReference: 'CLETS-99813' }));
    expect(store.lookup('8XYZ321', 'NV', f.clock.t)[0]?.entry).toMatchObject({
      state: 'NV',
      cjisReference: 'CLETS-99813',
    });
    await gov.manualEntries.expire(sup, rec.id, 'child found safe');
    expect(store.lookup('8XYZ321', 'NV', f.clock.t)).toEqual([]);
    expect(gov.auditLog.query({ action: 'hotlist' }).map((r) => r.action)).toEqual([
      'hotlist.add',
      'hotlist.update',
      'hotlist.expire',
    ]);
  });

  it('stale entries are flagged to the supervisor who entered them, once', async () => {
    const rec = await gov.manualEntries.add(f.actors.supervisor, entry({ expiresAt: f.clock.t + 20 * DAY }));
    expect(gov.manualEntries.flagStale()).toEqual([]);
    f.clock.advance(gov.ctx.config.hotlist.staleAfterDays * DAY);
    expect(gov.manualEntries.flagStale().map((r) => r.id)).toEqual([rec.id]);
    expect(gov.manualEntries.flagStale()).toEqual([]);
    expect(gov.notifications.forUser(f.actors.supervisor)).toMatchObject([
      { kind: 'stale_hotlist_entry', ref: rec.id },
    ]);
    expect(gov.notifications.forUser(f.actors.operator)).toEqual([]);
  });

  it('imported lists keep their source and load date; a refresh replaces the list and manual entries stay', async () => {
    const rec = await gov.manualEntries.add(f.actors.supervisor, entry());
    const summary = await importHotlist(store, {
      file: path.join(configDir, 'hotlist', 'sample.csv'),
      source: 'SAMPLE',
      format: 'csv',
      mapping: path.join(configDir, 'hotlist', 'csv.mapping.yaml'),
    });
    const info = store.source('SAMPLE')!;
    expect(info).toMatchObject({ source: 'SAMPLE', count: summary.total, format: 'csv' });
    expect(info.file).toMatch(/sample\.csv$/);
    expect(Date.now() - info.importedAt).toBeLessThan(60_000);
    expect(store.lookup('MZR1627', 'NC')[0]?.entry).toMatchObject({ source: 'SAMPLE', recordId: 'SAMPLE-0001' });
    expect(store.lookup('8XYZ321', 'CA', f.clock.t)[0]?.entry.recordId).toBe(rec.id);
  });
});
