// Reads a job list (JSON: [{file, scene, crop, modelDir, options}]) and prints, per item, what the recognizer did
// on the whole scene (regions, accepted reads, reads with rejection off) and on the labelled-box crop
// (wholeImageIsPlate). Driven by training/detector/scene_failures.py. Needs `npm run build`.
//   node training/detector/scene_failures.mjs jobs.json > out.json
import fs from 'node:fs';

import { recognize } from '../../dist/src/native.js';

const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = [];
for (const job of jobs) {
  const base = { modelDir: job.modelDir, ...(job.options ?? {}) };
  const strict = await recognize(job.scene, base);
  const loose = await recognize(job.scene, { ...base, minConfidence: 0, minCharConfidence: 0 });
  const crop = job.crop ? await recognize(job.crop, { modelDir: job.modelDir, wholeImageIsPlate: true }) : null;
  out.push({
    file: job.file,
    regions: strict.regions,
    reads: strict.reads,
    looseReads: loose.reads,
    cropReads: crop ? crop.reads : [],
    stageMs: strict.stageMs,
  });
}
process.stdout.write(JSON.stringify(out));
