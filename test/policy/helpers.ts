/** A Governance on a temp LMDB with a movable clock and one designated user per role. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { loadConfig } from '../../src/config/load.js';
import type { GovernanceConfig } from '../../src/config/schema.js';
import { Governance } from '../../src/governance/Governance.js';
import { type Actor, ROLES, type Role } from '../../src/governance/roles.js';

export const PASSWORD = 'correct horse battery staple';

export interface Fixture {
  gov: Governance;
  dir: string;
  clock: { t: number; advance(ms: number): void };
  /** One designated user per role, named after it (operator, supervisor, ...). */
  actors: Record<Role, Actor>;
  close(): Promise<void>;
}

export const T0 = Date.parse('2026-11-01T12:00:00Z');

export async function makeFixture(overrides: Partial<GovernanceConfig> = {}): Promise<Fixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-gov-'));
  const config = { ...loadConfig().governance, ...overrides };
  const clock = {
    t: T0,
    advance(ms: number) {
      this.t += ms;
    },
  };
  const gov = new Governance(dir, config, { now: () => clock.t, scryptCost: 1 << 10 });
  await gov.users.bootstrapAdministrator({
    username: 'administrator',
    displayName: 'Lt. Investigations',
    password: PASSWORD,
    trainingDate: '2026-01-15',
  });
  const admin: Actor = { username: 'administrator', role: 'administrator', agency: config.agency };
  const actors = { administrator: admin } as Record<Role, Actor>;
  // The supervisor first: the operator reports to them.
  const order: Role[] = ['supervisor', ...ROLES.filter((r) => r !== 'supervisor' && r !== 'administrator')];
  for (const role of order) {
    await gov.users.designate(admin, {
      username: role,
      displayName: role,
      role,
      trainingDate: '2026-02-01',
      password: PASSWORD,
      supervisor: role === 'operator' ? 'supervisor' : null,
    });
    actors[role] = { username: role, role, agency: config.agency };
  }
  return {
    gov,
    dir,
    clock,
    actors,
    async close() {
      await gov.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
