/**
 * The benchmark harness (bench/lib, `platewatch bench`): options parsed one way for every script, results
 * written as JSON and compared honestly, `bench all` says what it skips. The benchmarks' figures are not
 * checked here (speed targets are benchmarks, not timed tests); that they run and report is.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { BenchArgumentError, benchArgs } from '../bench/lib/args.js';
import { type BenchResult, compareResults, metric, newResult } from '../bench/lib/results.js';
import { platewatch } from './fixtures.js';

const dirs: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-bench-test-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function errorOf(fn: () => unknown): BenchArgumentError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BenchArgumentError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('benchArgs', () => {
  it('takes the defaults, typed options in either form and the common --json/--compare/--out', () => {
    const a = benchArgs('t', { runs: 10, data: 'd', noFootage: false }, ['--runs', '3', '--no-footage', '--out=x']);
    expect(a).toMatchObject({ runs: 3, data: 'd', noFootage: true, json: false, compare: undefined, out: 'x' });
  });

  it('an unknown option, a malformed number, a value on a flag or a missing value throws naming the option', () => {
    const unknown = errorOf(() => benchArgs('t', { runs: 1 }, ['--rnus', '3']));
    expect(unknown.code).toBe('ERR_BENCH_ARGUMENT');
    expect(unknown.message).toMatch(/unknown option --rnus.*--runs <number>/);
    expect(errorOf(() => benchArgs('t', { runs: 1 }, ['--runs', 'many'])).message).toMatch(
      /--runs must be a number >= 0 \(got "many"\)/,
    );
    expect(errorOf(() => benchArgs('t', { runs: 1 }, ['--runs', '-2'])).message).toMatch(/--runs must be/);
    expect(errorOf(() => benchArgs('t', { quick: false }, ['--quick=yes'])).message).toMatch(/--quick is a flag/);
    expect(errorOf(() => benchArgs('t', { runs: 1 }, ['--runs'])).message).toMatch(/--runs needs a value/);
  });

  it('--compare with a missing or non-result file throws before any benchmark runs', () => {
    expect(errorOf(() => benchArgs('t', {}, ['--compare', '/nonexistent/old.json'])).message).toMatch(
      /--compare: no such file/,
    );
    expect(errorOf(() => benchArgs('t', {}, ['--compare', 'package.json'])).message).toMatch(/has no metrics/);
  });
});

describe('compareResults', () => {
  const result = (samples: number[], higherIsBetter = false): BenchResult => {
    const r = newResult('demo', {});
    r.metrics.push(metric('x', samples, 'ms', higherIsBetter));
    return r;
  };
  const spread = (centre: number) => Array.from({ length: 20 }, (_, i) => centre * (0.8 + (0.4 * i) / 19));

  it('a slower median well outside the old spread is WORSE, a faster one better', () => {
    expect(compareResults(result(spread(10)), result(spread(20)))).toMatch(/x: 9\.\d+ -> 19\.\d ms {2}x2\.0+ {2}WORSE/);
    expect(compareResults(result(spread(20)), result(spread(10)))).toMatch(/better/);
    expect(compareResults(result(spread(10), true), result(spread(20), true))).toMatch(/better/);
  });

  it('a comparison of runs with different parameters says which differ', () => {
    const a = result(spread(10));
    const b = result(spread(10));
    a.inputs = { entries: 1_000_000, dir: '/tmp/a', quick: false };
    b.inputs = { entries: 200_000, dir: '/tmp/b', quick: false };
    expect(compareResults(a, b)).toMatch(/different inputs, so not like for like: entries 1000000 -> 200000\)/);
    expect(compareResults(a, a)).not.toMatch(/different inputs/);
  });

  it('a change smaller than the spread of the runs is within noise, under 5 % the same', () => {
    expect(compareResults(result(spread(10)), result(spread(11)))).toMatch(/within noise/);
    expect(compareResults(result(spread(10)), result(spread(10.2)))).toMatch(/same/);
    expect(compareResults(result([0]), result([0]))).toMatch(/x: 0\.00 -> 0\.00 ms {2}x1\.000 {2}same/);
    expect(compareResults(result([0]), result([2]))).toMatch(/WORSE/);
  });
});

describe('platewatch bench', () => {
  it('nats-publish runs against a real nats-server, writes its JSON result and compares with an older one', async () => {
    const out = tmp();
    const args = ['bench', 'nats-publish', '--messages', '2000', '--js-messages', '50', '--runs', '1'];
    const first = await platewatch(...args, '--out', out, '--json');
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as BenchResult;
    expect(result.benchmark).toBe('nats-publish');
    expect(result.machine.cpus).toBeGreaterThan(0);
    expect(result.versions['nats-server']).toMatch(/nats-server/);
    // 200 + 200 warm-up, then 50 one at a time + 50 batched: every acked publish is in the stream.
    expect(result.inputs.streamMessages).toBe(500);
    expect(result.metrics.map((m) => m.name)).toEqual([
      'core publish + flush (2000 msgs of 128 B)',
      'JetStream publish, await each ack',
      'JetStream publish -> ack latency, one at a time',
      'JetStream publish, 100 in flight',
      'core publish CPU per message (client + server)',
      'JetStream one at a time CPU per message (client + server)',
      'JetStream 100 in flight CPU per message (client + server)',
    ]);
    for (const m of result.metrics) expect(m.median).toBeGreaterThan(0);
    const files = readdirSync(out);
    expect(files).toHaveLength(1);
    expect(JSON.parse(readFileSync(path.join(out, files[0]!), 'utf8'))).toEqual(result);

    const second = await platewatch(...args, '--out', out, '--compare', path.join(out, files[0]!));
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/compare nats-publish: .* median ratio new\/old/);
    expect(second.stdout).toMatch(/JetStream publish, await each ack: .* x\d/);
  }, 60_000);

  it("camera-pair plays two camera settings side by side and reports each one's CPU and reads per analysed frame", async () => {
    const out = tmp();
    // Reading every plate in every frame (B) against the built-in read schedule (A), on the city clip.
    const args = ['bench', 'camera-pair', '--input', 'samples/city-720p.mp4', '--seconds', '6', '--warmup', '1'];
    const r = await platewatch(...args, '--b', '{"rereadFrames":0}', '--json', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as BenchResult;
    expect(result.benchmark).toBe('camera-pair');
    expect(result.inputs).toMatchObject({ a: {}, b: { rereadFrames: 0 }, camerasPerSetting: 1 });
    const median = (name: string) => result.metrics.find((m) => m.name === name)!.median;
    for (const tag of ['A', 'B']) {
      expect(median(`${tag}: analysis CPU per analysed frame`)).toBeGreaterThan(0);
      expect(median(`${tag}: analysed fps per camera`)).toBeGreaterThan(5);
    }
    expect(median('A: reads per analysed frame')).toBeLessThan(median('B: reads per analysed frame'));
    expect(r.stderr).toMatch(/CPU per analysed frame, B \/ A: \d+\.\d{3}/);
    // A setting the configuration refuses is named before any camera opens.
    const bad = await platewatch('bench', 'camera-pair', '--a', '{"rereadFrames":-1}', '--out', out);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cameras\.0\.rereadFrames/);
  }, 60_000);

  it('a script given an unknown option exits 2 naming it, before running', async () => {
    const r = await platewatch('bench', 'match', '--entires', '10');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/match: unknown option --entires/);
  });

  it('bench all names a missing development data folder and skips only what needs it', async () => {
    const out = tmp();
    const r = await platewatch('bench', 'all', '--only', 'recognizer', '--data', '/nonexistent/data', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/NOTE: \/nonexistent\/data is missing/);
    expect(r.stdout).toMatch(/recognizer\s+skipped: no \/nonexistent\/data/);
  });

  it('bench all --only with an unknown benchmark exits 2 listing the names', async () => {
    const r = await platewatch('bench', 'all', '--only', 'nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no benchmark "nope" \(boundary, stages/);
  });
});
