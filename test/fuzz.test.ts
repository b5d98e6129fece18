/**
 * Fuzzing in the test command (a few hundred cases per entry point; `platewatch bench fuzz` runs 100 k):
 * hot-list parsers and importer, config loader, image decoder, HTTP API bodies. No crash, no hang,
 * a clear error for each rejected input, nothing already stored lost.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { beforeAll, describe, it } from 'vitest';

import { type FuzzTarget, fuzzTargets } from '../bench/fuzz/targets.js';
import { packageRoot } from '../src/paths.js';
import { fixtureDir, PYTHON, renderPlate } from './fixtures.js';

const RUNS: Record<string, number> = {
  'hotlist-ncic-line': 2000,
  'hotlist-csv-line': 1000,
  'hotlist-import-file': 60,
  config: 1000,
  'image-decode': 300,
  'api-bodies': 300,
};

let targets: FuzzTarget[] = [];

beforeAll(() => {
  const png = renderPlate('FUZZ01');
  const jpg = path.join(fixtureDir(), 'fuzz.jpg');
  execFileSync(PYTHON, ['-c', `import cv2,sys; cv2.imwrite(sys.argv[2], cv2.imread(sys.argv[1]))`, png, jpg], {
    cwd: packageRoot,
  });
  targets = fuzzTargets([readFileSync(png), readFileSync(jpg)]);
});

describe('fuzzing: any input gets a result or a clear error, and loses nothing stored', () => {
  for (const name of Object.keys(RUNS)) {
    it(`${name} survives ${RUNS[name]} random inputs`, async () => {
      const target = targets.find((t) => t.name === name);
      if (!target) throw new Error(`no fuzz target ${name}`);
      await target.run(RUNS[name]!, 20261129);
    }, 120_000);
  }
});
