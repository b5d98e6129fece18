import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';

import { type EvalReport, evaluateSet } from '../../eval/evaluate.js';
import { loadLabelledSet } from '../../eval/labels.js';
import { configFor, recognizerOptions } from '../options.js';

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 64)
      throw new InvalidArgumentError(`${name} must be an integer in [1, 64]`);
    return n;
  };
}

const pct = (f: number | null | undefined) => (f === null || f === undefined ? 'n/a' : `${(f * 100).toFixed(1)} %`);
const ms = (t: number) => (Number.isFinite(t) ? `${t.toFixed(2)} ms` : 'n/a');

export function formatReport(r: EvalReport, maxFailures = 25): string {
  const rows: [string, string][] = [
    ['set', `${r.dir} (${r.kind})`],
    ['images', `${r.images}${r.kind === 'scenes' ? ` (${r.plates} with a labelled plate)` : ''}`],
    ['top-1 exact', pct(r.top1)],
    [`truth in top ${r.n}`, pct(r.topN)],
  ];
  if (r.kind === 'crops') {
    rows.push(['state of issuance', `${pct(r.stateAccuracy)} (reported on ${pct(r.stateReported)})`]);
  } else {
    rows.push(['detected (IoU > 0.4)', pct(r.detected)]);
    rows.push([
      'reads elsewhere / image',
      `${(r.extraReadsPerImage ?? 0).toFixed(3)} (${r.imagesWithExtraReads} images)`,
    ]);
  }
  rows.push([
    'recognition median / p90',
    `${ms(r.msMedian)} / ${ms(r.msP90)} (${r.threads} thread${r.threads > 1 ? 's' : ''})`,
  ]);
  rows.push(['recognition CPU median / p90', `${ms(r.cpuMsMedian)} / ${ms(r.cpuMsP90)} (thread CPU time)`]);
  rows.push(['decode median / p90', `${ms(r.decodeMsMedian)} / ${ms(r.decodeMsP90)}`]);
  rows.push(['errors', String(r.errors)]);
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
  if (r.failures.length) {
    lines.push('', `misses (${r.failures.length}${r.failures.length > maxFailures ? `, first ${maxFailures}` : ''}):`);
    for (const f of r.failures.slice(0, maxFailures)) {
      const state = f.truthState ? `  state ${f.state ?? '?'} (truth ${f.truthState})` : '';
      // candidates[0] is the read itself, so a rank above 0 is a miss whose truth came later.
      const rank = f.truth ? (f.candidates ?? []).indexOf(f.truth) : -1;
      lines.push(
        `  ${f.file.padEnd(18)} truth ${(f.truth || '-').padEnd(10)} read ${(f.read || '-').padEnd(10)}${state}${rank > 0 ? `  truth is reading ${rank + 1}` : ''}${f.error ? `  ${f.error}` : ''}`,
      );
    }
  }
  return lines.join('\n');
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('Score the recognizer on a labelled folder: labels.tsv (scenes) or labels.csv (plate crops)')
    .argument('<dir>', 'folder holding the images and labels.tsv or labels.csv')
    .option('--json', 'print one JSON object with the figures')
    .option('--threads <n>', 'images recognized at once (each on one thread)', positiveInt('--threads'), 1)
    .option(
      '--top <n>',
      'how many alternative readings count for top-N (default: config recognizer.topN)',
      positiveInt('--top'),
    )
    .action(async (dir: string, opts: { json?: boolean; threads: number; top?: number }, command: Command) => {
      const config = configFor(command);
      // libuv's pool (4 threads by default) runs the native work; it starts on first use, so this still applies.
      if (opts.threads > 4 && !process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(opts.threads);
      const set = loadLabelledSet(dir);
      const topN = opts.top ?? config.recognizer.topN;
      const recognizer = {
        ...recognizerOptions(config),
        topN,
        ...(set.kind === 'crops' ? { wholeImageIsPlate: true } : {}),
      };
      const tty = process.stderr.isTTY === true;
      const { report } = await evaluateSet(set, {
        threads: opts.threads,
        topN,
        recognizer,
        onProgress: tty ? (done, total) => process.stderr.write(`\reval ${done}/${total}`) : undefined,
      });
      if (tty) process.stderr.write('\n');
      if (opts.json) console.log(JSON.stringify(report));
      else console.log(formatReport(report));
    });
}
