/**
 * Hot-list import and lookup at scale (targets: 10 M entries imported in <= 60 s; lookup p99 <= 20 us).
 * Writes an NCIC fixed-width file of `entries` synthetic records (not timed), imports it with the real
 * importer (parse, map, validate, LMDB write, atomic flip: timed), then times lookups one by one.
 *
 *   node dist/bench/hotlist.js [--entries 10000000] [--lookups 200000] [--keep] [--out bench/results]
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';

import { HotlistStore } from '../src/hotlist/HotlistStore.js';
import { importHotlist } from '../src/hotlist/importHotlist.js';
import { configDir } from '../src/paths.js';
import { benchArgs, benchMain } from './lib/args.js';
import { randomPlate, randomState, rng } from './lib/plates.js';
import { reportResult } from './lib/report.js';
import { type BenchResult, metric, newResult } from './lib/results.js';

const CODES = ['V', 'W', 'M', 'PO', 'AA', 'MC', 'SO', 'L'];

async function writeNcic(file: string, count: number, kept: string[]): Promise<void> {
  const out = createWriteStream(file);
  const r = rng(3);
  let chunk = '';
  for (let i = 0; i < count; i++) {
    const plate = randomPlate(r);
    if (i % 50 === 0) kept.push(plate);
    chunk += `${plate.padEnd(10)}${randomState(r)}${CODES[i % CODES.length]!.padEnd(2)}${`N${String(i).padStart(9, '0')}`}20261101        benchmark record\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((res) => out.once('drain', () => res()));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((res) => out.once('finish', () => res()));
}

export async function runHotlistBench(
  opts: { entries?: number; lookups?: number; keep?: boolean } = {},
): Promise<BenchResult> {
  const entries = opts.entries ?? 10_000_000;
  const lookups = opts.lookups ?? 200_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-bench-hotlist-'));
  const file = path.join(dir, 'extract.ncic');
  const kept: string[] = [];
  await writeNcic(file, entries, kept);
  const result = newResult('hotlist', { entries, lookups, fileBytes: statSync(file).size, dir });
  const store = new HotlistStore(path.join(dir, 'db'));
  try {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const s = await importHotlist(store, {
      file,
      source: 'BENCH',
      format: 'ncic',
      mapping: path.join(configDir, 'hotlist', 'ncic.mapping.yaml'),
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    result.metrics.push(metric(`import ${entries} entries (wall)`, [seconds], 's'));
    result.metrics.push(
      metric(`import ${entries} entries (process CPU, all threads)`, [(cpu.user + cpu.system) / 1e6], 's'),
    );
    result.metrics.push(metric('import rate (wall)', [s.total / seconds], 'entries/s', true));
    result.inputs.loaded = s.total;
    result.inputs.rejected = s.rejected;
    result.inputs.duplicates = s.duplicates;

    // Lookups one at a time: half listed plates, half random (almost all absent).
    const r = rng(5);
    const lat: number[] = [];
    let found = 0;
    for (let i = 0; i < lookups; i++) {
      const p = i % 2 === 0 ? kept[Math.floor(r() * kept.length)]! : randomPlate(r);
      const t = process.hrtime.bigint();
      found += store.lookup(p, 'CA').length > 0 ? 1 : 0;
      lat.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    result.metrics.push(metric('lookup latency (half listed, half absent)', lat, 'us'));
    result.inputs.lookupsFound = found;
  } finally {
    await store.close();
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchMain(async () => {
    const args = benchArgs('hotlist', { entries: 10_000_000, lookups: 200_000, keep: false });
    // As `platewatch hotlist import` does: a larger young generation for allocation-heavy loading.
    v8.setFlagsFromString('--max-semi-space-size=64');
    const result = await runHotlistBench(args);
    reportResult(result, args, [
      `loaded ${result.inputs.loaded}, rejected ${result.inputs.rejected}, duplicates ${result.inputs.duplicates}`,
    ]);
  });
}
