/** The CLI matches the API for hit review: the same refusal without visual verification, then a stop authorization. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/load.js';
import { Governance } from '../../src/governance/Governance.js';
import { packageRoot } from '../../src/paths.js';
import { PASSWORD } from './helpers.js';

const run = promisify(execFile);

async function cli(config: string, args: string[]): Promise<{ code: number; out: string }> {
  const env = { ...process.env, PLATEWATCH_PASSWORD: PASSWORD };
  try {
    const r = await run(process.execPath, [path.join(packageRoot, 'bin', 'platewatch.js'), '-c', config, ...args], {
      env,
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('platewatch hits (CLI)', () => {
  it('verify is refused without characters and state verified, then authorizes the stop', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-cli-hits-'));
    try {
      const config = path.join(dir, 'config.yaml');
      writeFileSync(config, `dataDir: ${dir}\n`);
      const gov = Governance.open(loadConfig(config), { scryptCost: 1 << 10 });
      await gov.users.bootstrapAdministrator({
        username: 'lt.admin',
        displayName: 'Lt',
        password: PASSWORD,
        trainingDate: '2026-01-01',
      });
      const admin = gov.users.authenticate((await gov.users.login('lt.admin', PASSWORD)).token);
      await gov.users.designate(admin, {
        username: 'ofc.ray',
        displayName: 'Ray',
        role: 'operator',
        trainingDate: '2026-01-02',
        password: PASSWORD,
      });
      gov.profiles.establish({ username: 'ofc.ray', role: 'operator', agency: admin.agency }, ['stolen_vehicle']);
      gov.hits.record({
        id: 'hit-cli-1',
        category: 'stolen_vehicle',
        cameraId: 'cam1',
        detectedAt: Date.now(),
        read: { plate: '7ABC123', confidence: 0.9, state: 'NV' },
        entry: { plate: '7ABC123', state: 'CA', category: 'stolen_vehicle', source: 'S', recordId: 'R' },
        matchRule: 'exact',
        stateMatch: 'different',
      });
      await gov.close();

      const refused = await cli(config, [
        'hits',
        'verify',
        'hit-cli-1',
        '--as',
        'ofc.ray',
        '--system',
        'NCIC',
        '--reference',
        'NCIC-77',
      ]);
      expect(refused.code).toBe(2);
      expect(refused.out).toMatch(/characters must be visually verified .*\[ERR_NOT_VERIFIED\]/);
      const ok = await cli(config, [
        'hits',
        'verify',
        'hit-cli-1',
        '--as',
        'ofc.ray',
        '--characters-verified',
        '--state-verified',
        '--system',
        'NCIC',
        '--reference',
        'NCIC-77',
      ]);
      expect(ok.out).toContain('hit hit-cli-1: stop_authorized (NCIC NCIC-77)');
      const list = await cli(config, ['hits', 'list', '--as', 'ofc.ray']);
      expect(list.out).toMatch(/hit-cli-1 .* stop_authorized {2}!! wrong_state/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
