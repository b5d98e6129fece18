import type { Command } from 'commander';

import { PlatewatchError } from '../../errors.js';
import { type RecognizeResult, recognize } from '../../native.js';
import { configFor, recognizerOptions } from '../options.js';

interface ImageResult {
  image: string;
  result?: RecognizeResult;
  error?: { code: string; message: string };
}

function formatText(r: ImageResult): string {
  if (r.error) return `${r.image}: error ${r.error.code}: ${r.error.message}`;
  const res = r.result!;
  const head = `${r.image}: ${res.width}x${res.height}, ${res.reads.length} read(s)`;
  const lines = res.reads.map((read) => {
    const b = read.box;
    const state = read.state ? ` state ${read.state} (${read.stateConfidence?.toFixed(2)})` : '';
    const alts = read.candidates
      .slice(1)
      .map((c) => `${c.plate} ${c.confidence.toFixed(2)}`)
      .join(', ');
    const text = read.plate || '(unread)';
    return `  ${text.padEnd(9)} conf ${read.confidence.toFixed(2)}${state} at ${b.x},${b.y} ${b.width}x${b.height}${alts ? `  alt: ${alts}` : ''}`;
  });
  return [head, ...lines].join('\n');
}

export function registerRecognize(program: Command): void {
  program
    .command('recognize')
    .description('Read the plates in still images (JPEG, PNG, ...) and print the reads')
    .argument('<image...>', 'image files')
    .option('--json', 'print one JSON object per image, one per line')
    .action(async (images: string[], opts: { json?: boolean }, command: Command) => {
      const options = recognizerOptions(configFor(command));
      let failed = 0;
      for (const image of images) {
        const out: ImageResult = { image };
        try {
          out.result = await recognize(image, options);
        } catch (err) {
          if (!(err instanceof PlatewatchError)) throw err;
          out.error = { code: err.code, message: err.message };
          failed += 1;
        }
        if (opts.json) console.log(JSON.stringify(out));
        else if (out.error) console.error(formatText(out));
        else console.log(formatText(out));
      }
      if (failed > 0) process.exitCode = 1;
    });
}
