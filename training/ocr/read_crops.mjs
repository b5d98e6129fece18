// Reads every image of a crops folder (labels.csv) as one plate with a given reader model and prints, per
// crop, the best read and its confidence as JSON lines (used to compare rectification views offline).
//   node training/ocr/read_crops.mjs <cropsDir> <modelDir>
import fs from 'node:fs';
import path from 'node:path';

import { recognize } from '../../dist/src/native.js';

const [dir, modelDir] = process.argv.slice(2);
const rows = fs.readFileSync(path.join(dir, 'labels.csv'), 'utf8').trim().split('\n').slice(1);
for (const row of rows) {
  const [file, , plate] = row.split(',');
  const r = await recognize(path.join(dir, file), { modelDir, wholeImageIsPlate: true });
  const best = [...r.reads].sort((a, b) => b.confidence - a.confidence)[0];
  process.stdout.write(
    `${JSON.stringify({ file, plate, read: best?.plate ?? '', confidence: best?.confidence ?? 0, candidates: best?.candidates ?? [] })}\n`,
  );
}
