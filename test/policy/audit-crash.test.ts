/**
 * "Append-only and tamper-evident" under a crash: a process appending audit records is killed with
 * SIGKILL mid-stream; every record it had reported committed is there after restart and the chain
 * still verifies (LMDB commits are atomic: a torn record cannot exist).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/load.js';
import { Governance } from '../../src/governance/Governance.js';
import { packageRoot } from '../../src/paths.js';

describe('Audit under a crash', () => {
  it('kill -9 while appending: no committed record lost, the chain verifies, appending goes on', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-audit-crash-'));
    try {
      const config = loadConfig().governance;
      const mod = pathToFileURL(path.join(packageRoot, 'dist', 'src', 'governance', 'Governance.js')).href;
      const script = `
        const { Governance } = await import(${JSON.stringify(mod)});
        const gov = new Governance(${JSON.stringify(dir)}, ${JSON.stringify(config)});
        const actor = { username: 'writer', role: 'operator', agency: 'x' };
        for (let i = 0; ; i++) {
          const r = gov.auditLog.append({ actor, action: 'history.search', what: 'q' + i, outcome: 'allowed' });
          process.stdout.write(r.seq + '\\n');
        }`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const committed: number[] = [];
      await new Promise<void>((resolve) => {
        let buf = '';
        child.stdout!.on('data', (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split('\n');
          buf = lines.pop()!;
          for (const l of lines) committed.push(Number(l));
          if (committed.length >= 300 && child.exitCode === null && !child.killed) {
            child.kill('SIGKILL');
            resolve();
          }
        });
      });
      await new Promise((r) => child.once('exit', r));
      const gov = new Governance(dir, config);
      try {
        const result = gov.auditLog.verify();
        expect(result.ok).toBe(true);
        const last = committed.at(-1)!;
        expect(gov.auditLog.size).toBeGreaterThanOrEqual(last);
        expect(gov.auditLog.query({ limit: last }).map((r) => r.seq)).toEqual(committed.slice(0, last));
        gov.auditLog.append({
          actor: { username: 'after', role: 'auditor', agency: 'x' },
          action: 'audit.verify',
          what: 'chain',
          outcome: 'allowed',
        });
        expect(gov.auditLog.verify().ok).toBe(true);
      } finally {
        await gov.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
