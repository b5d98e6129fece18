/**
 * Command-line options of the benchmark scripts (`node dist/bench/<name>.js ...`, or
 * `platewatch bench <name> ...`, which passes them on): one parser, so every script takes the common
 * `--json`, `--compare <old.json>` and `--out <dir>`, and an unknown or malformed option stops it
 * before any work with a message naming the option (not after a ten-minute run).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import { PlatewatchError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';
import { type BenchResult, readResult } from './results.js';

/** A benchmark option is unknown, malformed, or names a file that cannot be read. */
export class BenchArgumentError extends PlatewatchError {
  constructor(message: string) {
    super('ERR_BENCH_ARGUMENT', message);
  }
}

export interface CommonBenchArgs {
  /** Print the result as JSON on stdout (human lines go to stderr). */
  json: boolean;
  /** An older result of the same benchmark: ratios of medians are printed after the table. */
  compare: string | undefined;
  /** Folder for the JSON result. */
  out: string;
}

type Widen<T> = { [K in keyof T]: T[K] extends number ? number : T[K] extends boolean ? boolean : string };

export const defaultResultsDir = path.join(packageRoot, 'bench', 'results');

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Parses `argv` against `defaults` (camelCase keys become --kebab-case options; the default's type is the
 * option's type: a number must be a finite number >= 0, a boolean is a flag) plus the common options.
 * `--help` prints the options and exits.
 */
export function benchArgs<T extends Record<string, number | string | boolean>>(
  benchmark: string,
  defaults: T,
  argv: string[] = process.argv.slice(2),
): Widen<T> & CommonBenchArgs {
  const values: Record<string, number | string | boolean | undefined> = {
    ...defaults,
    json: false,
    compare: undefined,
    out: defaultResultsDir,
  };
  const types: Record<string, 'number' | 'string' | 'boolean'> = {
    json: 'boolean',
    compare: 'string',
    out: 'string',
  };
  for (const [k, v] of Object.entries(defaults)) types[k] = typeof v as 'number' | 'string' | 'boolean';
  const byOption = new Map(Object.keys(types).map((k) => [`--${kebab(k)}`, k]));
  const usage = () =>
    [...byOption].map(([opt, k]) => (types[k] === 'boolean' ? `[${opt}]` : `[${opt} <${types[k]}>]`)).join(' ');

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--help' || token === '-h') {
      console.log(`usage: ${benchmark} ${usage()}`);
      console.log(`defaults: ${JSON.stringify(defaults)}`);
      process.exit(0);
    }
    const eq = token.indexOf('=');
    const opt = eq > 0 ? token.slice(0, eq) : token;
    const key = byOption.get(opt);
    if (!key) throw new BenchArgumentError(`${benchmark}: unknown option ${token} (options: ${usage()})`);
    if (types[key] === 'boolean') {
      if (eq > 0) throw new BenchArgumentError(`${benchmark}: ${opt} is a flag and takes no value`);
      values[key] = true;
      continue;
    }
    const raw = eq > 0 ? token.slice(eq + 1) : argv[++i];
    if (raw === undefined || (eq < 0 && raw.startsWith('--')))
      throw new BenchArgumentError(`${benchmark}: ${opt} needs a value`);
    if (types[key] === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n < 0)
        throw new BenchArgumentError(`${benchmark}: ${opt} must be a number >= 0 (got "${raw}")`);
      values[key] = n;
    } else {
      values[key] = raw;
    }
  }
  if (values.compare !== undefined) values.compare = checkCompareFile(benchmark, String(values.compare));
  return values as Widen<T> & CommonBenchArgs;
}

/** Resolves and reads `--compare` up front, so a wrong file fails before the benchmark runs. */
export function checkCompareFile(benchmark: string, file: string): string {
  const found = [path.resolve(file), path.join(packageRoot, file)].find((p) => existsSync(p));
  if (!found) throw new BenchArgumentError(`${benchmark}: --compare: no such file: ${file}`);
  let old: BenchResult;
  try {
    old = readResult(found);
  } catch (err) {
    throw new BenchArgumentError(`${benchmark}: --compare: ${file} is not a benchmark result (${String(err)})`);
  }
  if (!Array.isArray(old.metrics)) throw new BenchArgumentError(`${benchmark}: --compare: ${file} has no metrics`);
  return found;
}

/**
 * Runs a script's main: a BenchArgumentError prints its message and exits with 2 (usage); another
 * platewatch error (e.g. an invalid config) prints its message and code and exits with 1; anything
 * else prints in full (with the stack) and exits with 1.
 */
export function benchMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof BenchArgumentError) console.error(err.message);
    else if (err instanceof PlatewatchError) console.error(`${err.message} [${err.code}]`);
    else console.error(err);
    process.exitCode = err instanceof BenchArgumentError ? 2 : 1;
  });
}
