/**
 * Hot-list changes are audited (General Order 41-11, "Audit"): an imported list's refresh is recorded
 * with its source, file and counts, under the console user who ran it.
 */
import os from 'node:os';

import type { Config } from '../config/schema.js';
import { Governance } from './Governance.js';
import { systemActor } from './roles.js';

export interface ImportFacts {
  source: string;
  file: string;
  format: string;
  total: number;
  added: number;
  removed: number;
  rejected: number;
  generation: number;
}

export async function auditHotlistImport(config: Config, s: ImportFacts): Promise<void> {
  const gov = Governance.open(config);
  try {
    let who = 'unknown';
    try {
      who = os.userInfo().username;
    } catch {
      // no passwd entry (containers)
    }
    gov.auditLog.append({
      actor: systemActor(config.governance.agency, `console:${who}`),
      action: 'hotlist.import',
      what: `${s.source} from ${s.file} (${s.format})`,
      purpose: 'administration',
      reason: 'hot-list refresh',
      outcome: 'allowed',
      details: { total: s.total, added: s.added, removed: s.removed, rejected: s.rejected, generation: s.generation },
    });
  } finally {
    await gov.close();
  }
}
