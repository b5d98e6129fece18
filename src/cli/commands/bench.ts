/**
 * `platewatch bench <name>`: the benchmarks, each printing a table and writing its JSON result (machine,
 * versions, commit, inputs, median/p90/p99, runs) to bench/results/ (or --out); `--compare <old.json>`
 * prints the ratios to an older result. `bench all [--quick]` runs every one in its own process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { type Command, InvalidArgumentError } from 'commander';

import { checkCompareFile, defaultResultsDir } from '../../../bench/lib/args.js';
import { reportResult } from '../../../bench/lib/report.js';
import { type BenchResult, readResult } from '../../../bench/lib/results.js';
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

export const defaultDataDir = path.join(packageRoot, '..', 'shared', 'data');

/** Every benchmark, in the order `bench all` runs them, with its arguments in a full and a quick run. */
export interface BenchSpec {
  /** Subcommand name. */
  name: string;
  /** The `benchmark` field of the result it writes (to find the matching old result for --compare). */
  result: string;
  description: string;
  /** A standalone script (dist/bench/<script>.js) whose options are passed on; else a subcommand here. */
  script?: string;
  full: string[];
  quick: string[];
  /** 'all': nothing without ../shared/data (skipped); 'some': runs, its data-dependent sets skip. */
  data?: 'all' | 'some';
  /** Why `bench all` leaves it out unless named in --only (e.g. it runs for half an hour). */
  notInAll?: string;
}

export const BENCHES: BenchSpec[] = [
  {
    name: 'boundary',
    result: 'native-boundary',
    description: 'The native boundary: a no-op native call against a no-op JS call (Benchmark.js)',
    full: [],
    quick: [],
  },
  {
    name: 'stages',
    result: 'stages',
    script: 'stages',
    description:
      'Each recognition stage at 720p and 1080p, frames with and without plates (rendered and sample footage)',
    full: [],
    quick: ['--runs', '3'],
  },
  {
    name: 'detector',
    result: 'detector',
    script: 'detector',
    description: 'The plate detector alone at 720p/1080p with and without plates; dev-scene detection rate',
    full: [],
    quick: ['--runs', '5'],
    data: 'some',
  },
  {
    name: 'recognizer',
    result: 'recognizer',
    script: 'recognizer',
    description: 'Accuracy and time on the dev data (crops, scenes, no-plate photos) and empty frames',
    full: [],
    quick: [],
    data: 'all',
  },
  {
    name: 'match',
    result: 'match',
    script: 'match',
    description: 'Match stage: grouping + hot-list match with a 1 M-entry hot list; lookup latency',
    full: [],
    quick: ['--entries', '200000', '--vehicles', '20000', '--runs', '3', '--lookups', '50000'],
  },
  {
    name: 'hotlist',
    result: 'hotlist',
    script: 'hotlist',
    description: 'Hot-list import of 10 M NCIC entries and lookup latency',
    full: [],
    quick: ['--entries', '1000000'],
  },
  {
    name: 'nats-publish',
    result: 'nats-publish',
    script: 'nats_publish',
    description: 'NATS core publish and JetStream acknowledged publish (one at a time, batched), local nats-server',
    full: [],
    quick: ['--runs', '3'],
  },
  {
    name: 'capture',
    result: 'capture',
    description: 'N live cameras on a video file: decoded/analysed fps, drops, frame-to-read latency, CPU, RSS',
    full: [],
    quick: ['--seconds', '10', '--decode-baseline', '5'],
  },
  {
    name: 'camera-pair',
    result: 'camera-pair',
    script: 'camera_pair',
    description:
      'Two camera settings side by side in one process on one file: analysis CPU and reads per analysed frame',
    full: [],
    quick: ['--seconds', '10'],
  },
  {
    name: 'capture-cycles',
    result: 'capture-cycles',
    description: 'Open/start/first frame/close a camera N times: fd, thread and RSS growth',
    full: ['--cycles', '300'],
    quick: ['--cycles', '50'],
  },
  {
    name: 'camera-process',
    result: 'camera-process',
    script: 'camera_process',
    description: 'Cameras in worker processes: IPC cost per read batch, RSS per camera, segfault-to-playing time',
    full: [],
    quick: ['--batches', '1000', '--seconds', '5', '--crashes', '1'],
  },
  {
    name: 'frame-to-hit',
    result: 'frame-to-hit',
    script: 'frame_to_hit',
    description: 'End to end: frame captured to hit acknowledged by JetStream, 4 live cameras',
    full: [],
    quick: ['--seconds', '20'],
  },
  {
    name: 'fuzz',
    result: 'fuzz',
    description: 'Every fuzz target (hot-list parsers and import, config, image decoder, API bodies)',
    full: [],
    quick: ['--runs', '10000'],
  },
  {
    name: 'soak',
    result: 'soak',
    script: 'soak',
    description: 'platewatch run with N looping cameras for M minutes: memory, fds, threads of every process',
    full: [],
    quick: ['--minutes', '5'],
    notInAll: 'runs 30 minutes; `bench all --only soak` or `bench soak` runs it',
  },
];

const spec = (name: string) => BENCHES.find((b) => b.name === name)!;

interface ResultOpts {
  json?: boolean;
  compare?: string;
  out: string;
}

/** --json, --compare and --out, as every script takes them (bench/lib/args.ts). */
function resultOptions(command: Command): Command {
  return command
    .option('--json', 'print the result as JSON')
    .option('--compare <old.json>', 'print median ratios against an older result of this benchmark')
    .option('--out <dir>', 'folder for the JSON result', defaultResultsDir);
}

function checkCompare(name: string, opts: ResultOpts): ResultOpts {
  return opts.compare ? { ...opts, compare: checkCompareFile(name, opts.compare) } : opts;
}

export function registerBench(program: Command): void {
  const bench = program
    .command('bench')
    .description('Benchmarks: a table on stdout and a JSON result in bench/results/ (see README "Benchmarks")');

  resultOptions(
    bench
      .command('capture')
      .description(`${spec('capture').description} (and the same cameras decode-only, as the floor)`)
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
      ),
  ).action(
    async (
      opts: ResultOpts & {
        input: string;
        cameras: number;
        seconds: number;
        warmup: number;
        decodeBaseline: number;
        analyseFps?: number;
        decoderThreads?: number;
      },
      command: Command,
    ) => {
      const o = checkCompare('capture', opts);
      const config = configFor(command);
      const { formatCaptureReport, runCaptureBench } = await import('../../../bench/capture.js');
      const report = await runCaptureBench(config, {
        input: inputFile(opts.input),
        cameras: opts.cameras,
        seconds: opts.seconds,
        warmupSeconds: opts.warmup,
        decodeBaselineSeconds: opts.decodeBaseline,
        analyseFps: opts.analyseFps ?? config.capture.analyseFps,
        decoderThreads: opts.decoderThreads ?? config.capture.decoderThreads,
      });
      reportResult(report.result, o, [], { table: formatCaptureReport(report), json: report });
    },
  );

  resultOptions(
    bench
      .command('capture-cycles')
      .description(spec('capture-cycles').description)
      .option('--input <file>', 'video file', 'samples/city-720p.mp4')
      .option('--cycles <n>', 'cycles', positiveInt('--cycles'), 1000),
  ).action(async (opts: ResultOpts & { input: string; cycles: number }, command: Command) => {
    const o = checkCompare('capture-cycles', opts);
    const { runCaptureCycles } = await import('../../../bench/capture_cycles.js');
    const report = await runCaptureCycles(configFor(command), inputFile(opts.input), opts.cycles);
    const { before: b, after: a } = report;
    reportResult(
      report.result,
      o,
      [
        `${report.cycles} x open/start/first frame/close of ${opts.input}: ` +
          `fds ${b.fds} -> ${a.fds}, threads ${b.threads} -> ${a.threads}, ` +
          `RSS ${b.rssMb.toFixed(1)} -> ${a.rssMb.toFixed(1)} MiB`,
        `RSS every 100 cycles (MiB): ${report.rssMbEvery100.join(' ') || '-'}`,
      ],
      { json: report },
    );
  });

  resultOptions(bench.command('boundary').description(spec('boundary').description)).action(
    async (opts: ResultOpts) => {
      const o = checkCompare('boundary', opts);
      const { runNativeBoundary } = await import('../../../bench/native_boundary.js');
      reportResult(await runNativeBoundary(), o);
    },
  );

  resultOptions(
    bench
      .command('fuzz')
      .description(`${spec('fuzz').description} with N cases each`)
      .option(
        '--runs <n>',
        'cases per target (image, import and API targets get a share)',
        positiveInt('--runs'),
        100_000,
      )
      .option('--only <target>', 'one target by name'),
  ).action(async (opts: ResultOpts & { runs: number; only?: string }) => {
    const o = checkCompare('fuzz', opts);
    const { runFuzzBench } = await import('../../../bench/fuzz/run.js');
    reportResult(await runFuzzBench(opts.runs, opts.only), o);
  });

  // Standalone scripts: their own process (a clean heap, V8 flags of their own); options are passed on.
  for (const b of BENCHES.filter((x) => x.script)) {
    bench
      .command(b.name)
      .description(`${b.description} (options: bench/${b.script}.ts; --help lists them)`)
      .allowUnknownOption()
      .helpOption(false)
      .argument('[args...]')
      .action((args: string[]) => {
        process.exitCode = runScript(b.script!, args);
      });
  }

  bench
    .command('all')
    .description(
      `Every benchmark in turn, each in its own process: ${BENCHES.filter((b) => !b.notInAll)
        .map((b) => b.name)
        .join(', ')}. Results go to one folder per run; a summary ends the run. Not included: ` +
        BENCHES.filter((b) => b.notInAll)
          .map((b) => `${b.name} (${b.notInAll})`)
          .join(', '),
    )
    .option('--quick', 'smaller inputs and shorter runs (README "Benchmarks" lists the differences)')
    .option('--only <names>', 'a comma-separated subset, in the usual order')
    .option('--data <dir>', 'the development data (real plate photos)', defaultDataDir)
    .option('--compare <dir>', 'a folder of an earlier `bench all` run: each result is compared with its own')
    .option('--out <dir>', 'folder for this run (default bench/results/run-<time>)')
    .action(async (opts: { quick?: boolean; only?: string; data: string; compare?: string; out?: string }, command) => {
      process.exitCode = await runAll(opts, command);
    });
}

function latestByBenchmark(dir: string): Map<string, string> {
  if (!existsSync(dir)) throw new ConfigError(`bench all --compare: no such folder: ${dir}`);
  const out = new Map<string, { file: string; at: string }>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    try {
      const r: BenchResult = readResult(path.join(dir, f));
      const seen = out.get(r.benchmark);
      if (!seen || seen.at < r.startedAt) out.set(r.benchmark, { file: path.join(dir, f), at: r.startedAt });
    } catch {
      // not a result
    }
  }
  return new Map([...out].map(([k, v]) => [k, v.file]));
}

async function runAll(
  opts: { quick?: boolean; only?: string; data: string; compare?: string; out?: string },
  command: Command,
): Promise<number> {
  const names = opts.only?.split(',').map((s) => s.trim());
  for (const n of names ?? []) {
    if (!BENCHES.some((b) => b.name === n))
      throw new ConfigError(`bench all --only: no benchmark "${n}" (${BENCHES.map((b) => b.name).join(', ')})`);
  }
  const selected = BENCHES.filter((b) => (names ? names.includes(b.name) : !b.notInAll));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = path.resolve(opts.out ?? path.join(defaultResultsDir, `run-${stamp}${opts.quick ? '-quick' : ''}`));
  const old = opts.compare ? latestByBenchmark(path.resolve(opts.compare)) : new Map<string, string>();
  const dataDir = path.resolve(opts.data);
  const hasData = existsSync(dataDir);
  const config = (command.optsWithGlobals() as { config?: string }).config;
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');

  console.log(
    `bench all (${opts.quick ? 'quick' : 'full'}): ${selected.map((b) => b.name).join(', ')}\n` +
      `  results: ${path.relative(process.cwd(), runDir) || runDir}; ${os.cpus().length} cores, load ${load()}`,
  );
  if (!hasData) {
    console.log(
      `  NOTE: ${dataDir} is missing (the development data: real plate photos, never in the repo).\n` +
        '  Skipped: recognizer (accuracy on real photos). detector runs on rendered frames only; ' +
        'its dev-scene figures are skipped. Every other benchmark needs no data and runs.',
    );
  }
  const rows: { name: string; status: string; seconds: number; file: string }[] = [];
  const t0 = Date.now();
  for (const b of selected) {
    if (b.data === 'all' && !hasData) {
      rows.push({ name: b.name, status: `skipped: no ${dataDir}`, seconds: 0, file: '' });
      continue;
    }
    const args = [...(opts.quick ? b.quick : b.full), '--out', runDir];
    if (b.data) args.push('--data', dataDir);
    const oldFile = old.get(b.result);
    if (oldFile) args.push('--compare', oldFile);
    console.log(`\n=== ${b.name} ${args.join(' ')} (load ${load()})`);
    const before = new Set(existsSync(runDir) ? readdirSync(runDir) : []);
    const started = Date.now();
    const rc = await runChild(
      b.script
        ? [path.join(packageRoot, 'dist', 'bench', `${b.script}.js`), ...args]
        : [
            path.join(packageRoot, 'bin', 'platewatch.js'),
            ...(config ? ['--config', config] : []),
            'bench',
            b.name,
            ...args,
          ],
    );
    const written = (existsSync(runDir) ? readdirSync(runDir) : []).filter((f) => !before.has(f));
    rows.push({
      name: b.name,
      status: rc === 0 ? 'ok' : `FAILED (exit ${rc})`,
      seconds: (Date.now() - started) / 1000,
      file: written.join(' '),
    });
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  const statusWidth = Math.max(...rows.map((r) => r.status.length));
  console.log(
    [
      `\nbench all (${opts.quick ? 'quick' : 'full'}) done in ${((Date.now() - t0) / 60_000).toFixed(1)} min, load ${load()}`,
      ...rows.map(
        (r) =>
          `  ${r.name.padEnd(width)}  ${r.status.padEnd(statusWidth)} ${r.seconds.toFixed(0).padStart(5)} s  ${r.file}`,
      ),
      `results: ${path.relative(process.cwd(), runDir) || runDir} (compare a later run with: bench all --compare <this folder>)`,
    ].join('\n'),
  );
  return rows.some((r) => r.status.startsWith('FAILED')) ? 1 : 0;
}

function runScript(name: string, args: string[]): number {
  const script = path.join(packageRoot, 'dist', 'bench', `${name}.js`);
  return spawnSync(process.execPath, [script, ...args], { stdio: 'inherit' }).status ?? 1;
}

/**
 * What libpng, libjpeg and OpenCV's imdecode print (on stderr, from C) for each damaged image the fuzz
 * benchmark feeds them on purpose, continuation lines ("> ...") included.
 */
const DECODER_NOISE =
  /^(libpng (warning|error): |Corrupt JPEG data: |Premature end of JPEG file|Invalid SOS parameters|Warning: unknown JFIF|Bogus |imdecode_\(|> )/;

/**
 * Runs a benchmark process with stdout as is and stderr line by line, minus the image decoders' own
 * warnings (100 k damaged images print about as many lines), which are counted instead.
 */
function runChild(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'pipe'] });
    let hidden = 0;
    let rest = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (DECODER_NOISE.test(line)) hidden++;
        else process.stderr.write(`${line}\n`);
      }
    });
    child.on('close', (code, signal) => {
      if (rest) process.stderr.write(`${rest}\n`);
      if (hidden) console.log(`(${hidden} stderr lines of libpng/libjpeg/OpenCV about damaged input images not shown)`);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}
