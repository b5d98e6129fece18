/**
 * The cost of crossing the JS <-> native boundary: a no-op native call against a no-op JS call.
 * Every other native benchmark should be read against this baseline.
 */
import Benchmark from 'benchmark';

import { noop, versions } from '../src/native.js';
import { type BenchResult, metric, newResult } from './lib/results.js';

function jsNoop(): void {}

/** Runs the suite; each case's per-call times (ns) come from Benchmark.js' samples (means of timed cycles). */
export async function runNativeBoundary(): Promise<BenchResult> {
  const v = versions();
  const result = newResult(
    'native-boundary',
    { calls: 'Benchmark.js adaptive' },
    { opencv: v.opencv, gstreamer: v.gstreamer },
  );
  const suite = new Benchmark.Suite('native-boundary');
  suite.add('native noop()', () => noop());
  suite.add('js noop()', () => jsNoop());
  await new Promise<void>((resolve) => {
    suite.on('complete', () => resolve()).run({ async: true });
  });
  suite.forEach((b: Benchmark) => {
    const nsPerCall = b.stats.sample.map((s) => s * 1e9);
    result.metrics.push(metric(`${b.name} ns/call`, nsPerCall, 'ns'));
  });
  return result;
}
