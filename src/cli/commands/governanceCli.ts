/** Shared by the governance commands: open the store, log in as a user (audited like any login). */
import os from 'node:os';

import type { Command } from 'commander';

import { Governance } from '../../governance/Governance.js';
import { type Actor, systemActor } from '../../governance/roles.js';
import { configFor } from '../options.js';
import { readSecret } from '../secrets.js';

export function openGovernance(command: Command): Governance {
  return Governance.open(configFor(command));
}

/** Logs in as `username` with the password from PLATEWATCH_PASSWORD or the terminal. */
export async function loginAs(gov: Governance, username: string | undefined): Promise<Actor> {
  if (!username) throw new TypeError('--as <user> is required');
  const password = await readSecret('PLATEWATCH_PASSWORD', `password for ${username}: `);
  const { token } = await gov.users.login(username, password);
  return gov.users.authenticate(token);
}

/** The console user, for commands that need no login (verify, transparency report). */
export function consoleActor(gov: Governance): Actor {
  let who = 'unknown';
  try {
    who = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep 'unknown'
  }
  return systemActor(gov.ctx.config.agency, `console:${who}`);
}

export async function withGovernance<T>(command: Command, fn: (gov: Governance) => Promise<T> | T): Promise<T> {
  const gov = openGovernance(command);
  try {
    return await fn(gov);
  } finally {
    await gov.close();
  }
}
