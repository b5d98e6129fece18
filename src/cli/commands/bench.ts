/**
 * `platewatch bench <subcommand>`: benchmarks, each writing its JSON result to bench/results/.
 * A command group: every benchmark registers a subcommand here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { type Command, InvalidArgumentError } from 'commander';

import { formatCaptureReport, runCaptureBench } from '../../../bench/capture.js';
import { runCaptureCycles } from '../../../bench/capture_cycles.js';
import { runFuzzBench } from '../../../bench/fuzz/run.js';
import { type BenchResult, compareResults, formatTable, readResult, writeResult } from '../../../bench/lib/results.js';
import { runNativeBoundary } from '../../../bench/native_boundary.js';
import { ConfigError } from '../../errors.js';
import { packageRoot } from '../../paths.js';
import { configFor } from '../options.js';

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

function nonNegative(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number >= 0`);
    return n;
  };
}

function inputFile(file: string): string {
  const candidates = [path.resolve(file), path.join(packageRoot, file)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new ConfigError(`--input: no such file: ${file}`);
  return found;
}

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('Benchmarks (results as JSON in bench/results/)');

  bench
    .command('capture')
    .description(
      'Play a video file as N live cameras at its real frame rate and report per camera decoded/analysed fps, ' +
        'drops, reads, frame-to-read latency, and process CPU (by thread: decode vs recognize) and RSS',
    )
    .option('--input <file>', 'H.264 (or any decodable) video file', 'samples/highway-1080p.mp4')
    .option('--cameras <n>', 'number of cameras', positiveInt('--cameras'), 4)
    .option('--seconds <s>', 'measured seconds', positiveInt('--seconds'), 30)
    .option('--warmup <s>', 'seconds of warm-up before measuring', nonNegative('--warmup'), 3)
    .option(
      '--decode-baseline <s>',
      'seconds of the decode-only phase after the full run (0 = skip)',
      nonNegative('--decode-baseline'),
      10,
    )
    .option(
      '--analyse-fps <fps>',
      'analysis rate per camera (default: capture.analyseFps)',
      nonNegative('--analyse-fps'),
    )
    .option(
      '--decoder-threads <n>',
      'threads per decoder (default: capture.decoderThreads)',
      nonNegative('--decoder-threads'),
    )
    .option('--json', 'print the full report as JSON')
    .option('--out <dir>', 'folder for the JSON result', path.join(packageRoot, 'bench', 'results'))
    .action(
      async (
        opts: {
          input: string;
          cameras: number;
          seconds: number;
          warmup: number;
          decodeBaseline: number;
          analyseFps?: number;
          decoderThreads?: number;
          json?: boolean;
          out: string;
        },
        command: Command,
      ) => {
        const config = configFor(command);
        const report = await runCaptureBench(config, {
          input: inputFile(opts.input),
          cameras: opts.cameras,
          seconds: opts.seconds,
          warmupSeconds: opts.warmup,
          decodeBaselineSeconds: opts.decodeBaseline,
          analyseFps: opts.analyseFps ?? config.capture.analyseFps,
          decoderThreads: opts.decoderThreads ?? config.capture.decoderThreads,
        });
        const file = writeResult(report.result, opts.out);
        if (opts.json) console.log(JSON.stringify(report, null, 2));
        else console.log(`${formatCaptureReport(report)}\nresult: ${path.relative(process.cwd(), file)}`);
      },
    );

  bench
    .command('capture-cycles')
    .description('Open, start, wait for the first frame and close a camera N times; report fd/thread/RSS growth')
    .option('--input <file>', 'video file', 'samples/city-720p.mp4')
    .option('--cycles <n>', 'cycles', positiveInt('--cycles'), 1000)
    .option('--json', 'print the report as JSON')
    .option('--out <dir>', 'folder for the JSON result', path.join(packageRoot, 'bench', 'results'))
    .action(async (opts: { input: string; cycles: number; json?: boolean; out: string }, command: Command) => {
      const report = await runCaptureCycles(configFor(command), inputFile(opts.input), opts.cycles);
      const file = writeResult(report.result, opts.out);
      if (opts.json) {
        console.log(JSON.stringify(report, null, 2));
        return;
      }
      const { before: b, after: a } = report;
      console.log(
        [
          `capture-cycles: ${report.cycles} x open/start/first frame/close of ${opts.input}`,
          `  per cycle: p50 ${report.msPerCycle.p50.toFixed(1)} ms, p99 ${report.msPerCycle.p99.toFixed(1)} ms`,
          `  fds ${b.fds} -> ${a.fds}, threads ${b.threads} -> ${a.threads}, RSS ${b.rssMb.toFixed(1)} -> ${a.rssMb.toFixed(1)} MiB`,
          `  RSS every 100 cycles (MiB): ${report.rssMbEvery100.join(' ')}`,
          `result: ${path.relative(process.cwd(), file)}`,
        ].join('\n'),
      );
    });

  registerResultBench(bench, 'boundary', 'The native boundary: a no-op native call against a no-op JS call', () =>
    runNativeBoundary(),
  );
  bench
    .command('fuzz')
    .description('Every fuzz target (hot-list parsers and import, config, image decoder, API bodies) with N cases')
    .option(
      '--runs <n>',
      'cases per target (image, import and API targets get a share)',
      positiveInt('--runs'),
      100_000,
    )
    .option('--only <target>', 'one target by name')
    .option('--json', 'print the result as JSON')
    .option('--compare <old.json>', 'print ratios against an older result')
    .action(async (opts: { runs: number; only?: string; json?: boolean; compare?: string }) => {
      report(await runFuzzBench(opts.runs, opts.only), opts);
    });

  // Standalone benchmark scripts (each prints its own table and writes its JSON), run in order by `all`.
  const scripts: [string, string, string[]][] = [
    ['recognizer', 'Recognition on the dev data (crops, scenes, no-plate photos) and frames without plates', []],
    ['detector', 'The plate detector alone at 720p/1080p, with and without plates', []],
    ['match', 'Match stage: grouping + hot-list match with a 1 M-entry hot list', []],
    ['hotlist', 'Hot-list import of 10 M entries and lookup latency', []],
    ['frame_to_hit', 'End to end: frame to hit acknowledged by JetStream, 4 live cameras', []],
  ];
  for (const [name, description] of scripts) {
    bench
      .command(name.replace(/_/g, '-'))
      .description(`${description} (options are passed on to bench/${name}.ts)`)
      .allowUnknownOption()
      .helpOption(false)
      .argument('[args...]')
      .action((args: string[]) => {
        process.exitCode = runScript(name, args);
      });
  }
  // Not part of `all`: it runs for 30 minutes by default.
  bench
    .command('soak')
    .description(
      'Soak: `platewatch run` with 4 cameras for 30 min; RSS, fds and threads of the service and its nats-server (options are passed on to bench/soak.ts)',
    )
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action((args: string[]) => {
      process.exitCode = runScript('soak', args);
    });
  bench
    .command('all')
    .description('Every benchmark in turn: boundary, recognizer, detector, match, hotlist, capture, frame-to-hit, fuzz')
    .action(async () => {
      report(await runNativeBoundary(), {});
      let failed = 0;
      for (const [name] of scripts) failed += runScript(name, []) === 0 ? 0 : 1;
      failed += runCli(['bench', 'capture', '--seconds', '30']) === 0 ? 0 : 1;
      report(await runFuzzBench(100_000), {});
      if (failed) process.exitCode = 1;
    });
}

function report(result: BenchResult, opts: { json?: boolean; compare?: string }): void {
  const file = writeResult(result);
  console.log(opts.json ? JSON.stringify(result, null, 2) : formatTable(result));
  if (opts.compare) console.log(compareResults(readResult(opts.compare), result));
  console.log(`result: ${file}`);
}

function registerResultBench(bench: Command, name: string, description: string, run: () => Promise<BenchResult>) {
  bench
    .command(name)
    .description(description)
    .option('--json', 'print the result as JSON')
    .option('--compare <old.json>', 'print ratios against an older result')
    .action(async (opts: { json?: boolean; compare?: string }) => report(await run(), opts));
}

function runScript(name: string, args: string[]): number {
  const script = path.join(packageRoot, 'dist', 'bench', `${name}.js`);
  return spawnSync(process.execPath, [script, ...args], { stdio: 'inherit' }).status ?? 1;
}

function runCli(args: string[]): number {
  return (
    spawnSync(process.execPath, [path.join(packageRoot, 'bin', 'platewatch.js'), ...args], { stdio: 'inherit' })
      .status ?? 1
  );
}
