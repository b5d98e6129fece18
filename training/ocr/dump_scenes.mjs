// Dumps, per labelled scene, what the recognizer did: every proposed region (box, corners, score) and the
// reads at the configured thresholds and with rejection off. Used to find where scene reads fail and to cut
// detector crops for training (training/ocr/scene_crops.py). Needs `npm run build`.
//   node training/ocr/dump_scenes.mjs ../shared/data/us-plates [modelDir] [detectorThreshold] > out.json
import fs from 'node:fs';
import path from 'node:path';

import { recognize } from '../../dist/src/native.js';

const [dir, modelDir, thr] = process.argv.slice(2);
const rows = fs
  .readFileSync(path.join(dir, 'labels.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'));
const base = { ...(modelDir ? { modelDir } : {}), ...(thr ? { detectorThreshold: Number(thr) } : {}) };
const out = [];
for (const [file, x, y, w, h, plate] of rows) {
  const img = path.join(dir, file);
  const strict = await recognize(img, base);
  const loose = await recognize(img, { ...base, minConfidence: 0, minCharConfidence: 0 });
  out.push({
    file,
    box: { x: +x, y: +y, width: +w, height: +h },
    plate,
    regions: strict.regions,
    reads: strict.reads,
    looseReads: loose.reads,
    size: [strict.width, strict.height],
  });
}
process.stdout.write(JSON.stringify(out));
