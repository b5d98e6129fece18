/**
 * Hot-list import and lookup at scale (targets: 10 M entries imported in <= 60 s; lookup p99 <= 20 us).
 * Writes an NCIC fixed-width file of `entries` synthetic records (not timed), imports it with the real
 * importer (parse, map, validate, LMDB write, atomic flip, flushed to disk: timed, wall and CPU of all
 * threads, per phase), optionally imports it again as a refresh (diff against the previous list and
 * deletion of it), then times lookups one by one. Load average before and after is recorded: the wall
 * figures mean little on a loaded machine, the CPU ones more.
 *
 *   node dist/bench/hotlist.js [--entries 10000000] [--lookups 200000] [--refresh] [--parallel] [--keep]
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
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

const load = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

export async function runHotlistBench(
  opts: { entries?: number; lookups?: number; keep?: boolean; refresh?: boolean; parallel?: boolean } = {},
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
    const mapping = path.join(configDir, 'hotlist', 'ncic.mapping.yaml');
    // --parallel: two parse threads (importHotlist's parallelMinBytes; off by default).
    const parallelMinBytes = opts.parallel ? 0 : Number.POSITIVE_INFINITY;
    result.inputs.loadBeforeImport = load();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const s = await importHotlist(store, { file, source: 'BENCH', format: 'ncic', mapping, parallelMinBytes });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    result.inputs.loadAfterImport = load();
    result.metrics.push(metric(`import ${entries} entries (wall)`, [seconds], 's'));
    result.metrics.push(metric(`import ${entries} entries (process CPU, all threads)`, [cpuSeconds], 's'));
    result.metrics.push(metric('import rate (wall)', [s.total / seconds], 'entries/s', true));
    result.metrics.push(metric('import rate (per CPU-second)', [s.total / cpuSeconds], 'entries/s', true));
    result.metrics.push(metric('import phase: read + parse (wall)', [s.phases.fill], 's'));
    result.metrics.push(metric('import phase: read + parse (CPU)', [s.phasesCpu.fill], 's'));
    result.metrics.push(metric('import phase: sort + write generation (wall)', [s.phases.write], 's'));
    result.metrics.push(metric('import phase: sort + write generation (CPU)', [s.phasesCpu.write], 's'));
    result.metrics.push(metric('import phase: flip + flush (wall)', [s.phases.flip], 's'));
    result.inputs.loaded = s.total;
    result.inputs.rejected = s.rejected;
    result.inputs.duplicates = s.duplicates;
    result.inputs.parseThreads = s.parseThreads;
    result.inputs.maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);

    if (opts.refresh) {
      const c1 = process.cpuUsage();
      const t1 = process.hrtime.bigint();
      const r = await importHotlist(store, { file, source: 'BENCH', format: 'ncic', mapping, parallelMinBytes });
      const wall = Number(process.hrtime.bigint() - t1) / 1e9;
      const c = process.cpuUsage(c1);
      result.metrics.push(metric(`refresh ${entries} entries (wall)`, [wall], 's'));
      result.metrics.push(
        metric(`refresh ${entries} entries (process CPU, all threads)`, [(c.user + c.system) / 1e6], 's'),
      );
      result.metrics.push(metric('refresh phase: diff + drop previous list (wall)', [r.phases.cleanup], 's'));
      result.metrics.push(metric('refresh phase: diff + drop previous list (CPU)', [r.phasesCpu.cleanup], 's'));
      result.inputs.refreshAdded = r.added;
      result.inputs.refreshRemoved = r.removed;
      result.inputs.loadAfterRefresh = load();
    }

    // Lookups one at a time: half listed plates, half random (almost all absent). The first pass right
    // after the import: most records are on pages this process has not mapped yet (a page fault each).
    // Then the store's background walk (warm(): what `platewatch run` does after each refresh) maps the
    // list's pages, and other plates are looked up (a long-running reader, without help from plates
    // repeated); then the first plates again.
    let found = 0;
    for (const pass of ['first pass', 'after warm-up, other plates', 'second pass, same plates'] as const) {
      if (pass === 'after warm-up, other plates') {
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        result.inputs.warmedRecords = await store.warm();
        result.metrics.push(metric('warm-up walk (wall)', [Number(process.hrtime.bigint() - t0) / 1e9], 's'));
        const c = process.cpuUsage(c0);
        result.metrics.push(metric('warm-up walk (process CPU)', [(c.user + c.system) / 1e6], 's'));
      }
      const r = rng(pass === 'after warm-up, other plates' ? 6 : 5);
      const lat: number[] = [];
      found = 0;
      for (let i = 0; i < lookups; i++) {
        const p = i % 2 === 0 ? kept[Math.floor(r() * kept.length)]! : randomPlate(r);
        const t = process.hrtime.bigint();
        found += store.lookup(p, 'CA').length > 0 ? 1 : 0;
        lat.push(Number(process.hrtime.bigint() - t) / 1000);
      }
      result.metrics.push(metric(`lookup latency (half listed, half absent; ${pass})`, lat, 'us'));
    }
    result.inputs.lookupsFound = found;
  } finally {
    await store.close();
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchMain(async () => {
    const args = benchArgs('hotlist', {
      entries: 10_000_000,
      lookups: 200_000,
      keep: false,
      refresh: false,
      parallel: false,
    });
    // As `platewatch hotlist import` does: a larger young generation for allocation-heavy loading.
    v8.setFlagsFromString('--max-semi-space-size=64');
    const result = await runHotlistBench(args);
    const i = result.inputs;
    reportResult(result, args, [
      `file ${i.entries} entries, ${((i.fileBytes as number) / 2 ** 20).toFixed(0)} MiB; loaded ${i.loaded}, rejected ${i.rejected}, duplicates ${i.duplicates}; ${i.parseThreads} parse thread(s); peak RSS ${i.maxRssMiB} MiB`,
      `load average before import ${JSON.stringify(i.loadBeforeImport)}, after ${JSON.stringify(i.loadAfterImport)}${i.loadAfterRefresh ? `, after refresh ${JSON.stringify(i.loadAfterRefresh)} (added ${i.refreshAdded}, removed ${i.refreshRemoved})` : ''}`,
    ]);
  });
}
