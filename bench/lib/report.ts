/**
 * How every benchmark ends: write the JSON result, print the table (or the JSON with --json), the
 * benchmark's own extra lines, and with --compare the ratios to an older result.
 */
import path from 'node:path';

import { BenchArgumentError, type CommonBenchArgs } from './args.js';
import { type BenchResult, compareResults, formatTable, readResult, writeResult } from './results.js';

export function reportResult(
  result: BenchResult,
  args: Partial<CommonBenchArgs>,
  extraLines: string[] = [],
  view: {
    /** A benchmark-specific table printed instead of the generic one (the JSON holds every metric). */
    table?: string;
    /** What --json prints instead of the result (e.g. a fuller report); the file is always the result. */
    json?: unknown;
  } = {},
): string {
  const file = writeResult(result, args.out);
  // With --json, stdout is the JSON alone (so it pipes into jq); the human lines go to stderr.
  const human = args.json ? console.error : console.log;
  if (args.json) console.log(JSON.stringify(view.json ?? result, null, 2));
  else console.log(view.table ?? formatTable(result));
  for (const line of extraLines) human(line);
  if (args.compare) {
    const old = readResult(args.compare);
    if (old.benchmark !== result.benchmark)
      throw new BenchArgumentError(
        `--compare: ${args.compare} is a "${old.benchmark}" result, this benchmark is "${result.benchmark}"`,
      );
    human(compareResults(old, result));
  }
  human(`result: ${path.relative(process.cwd(), file) || file}`);
  return file;
}
