/**
 * `platewatch bench fuzz [--runs N]`: every fuzz target with N cases (100 k by default), timed.
 * Needs a plate image to damage: renders one with tools/synth (Debian python3).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { packageRoot } from '../../src/paths.js';
import { type BenchResult, metric, newResult } from '../lib/results.js';
import { fuzzTargets } from './targets.js';

/**
 * Each importer case writes and imports a whole file of up to 20 lines into LMDB (~10 ms): it gets a tenth
 * of the runs (so about as many lines as the other targets get cases); every other target gets them all.
 */
const SHARE: Record<string, number> = { 'hotlist-import-file': 0.1 };

export async function runFuzzBench(runs = 100_000, only?: string): Promise<BenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-fuzz-'));
  const png = path.join(dir, 'plate.png');
  const jpg = path.join(dir, 'plate.jpg');
  execFileSync('/usr/bin/python3', ['-m', 'tools.synth.plate', 'FUZZ01', png], { cwd: packageRoot });
  execFileSync('/usr/bin/python3', [
    '-c',
    'import cv2,sys; cv2.imwrite(sys.argv[2], cv2.imread(sys.argv[1]))',
    png,
    jpg,
  ]);
  const result = newResult('fuzz', { runs, shares: SHARE, only: only ?? 'all' });
  for (const target of fuzzTargets([readFileSync(png), readFileSync(jpg)])) {
    if (only && target.name !== only) continue;
    const n = Math.max(100, Math.round(runs * (SHARE[target.name] ?? 1)));
    const t0 = performance.now();
    await target.run(n);
    const seconds = (performance.now() - t0) / 1000;
    console.log(`fuzz ${target.name}: ${n} cases passed in ${seconds.toFixed(1)} s`);
    result.metrics.push(metric(`${target.name} cases/s (${n} cases)`, [n / seconds], 'cases/s', true));
  }
  return result;
}
