import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HotlistStore } from '../src/hotlist/HotlistStore.js';
import { packageRoot } from '../src/paths.js';
import { createHit, createReadMessage } from '../src/pipeline/createMessages.js';
import { hitMessageSchema, readMessageSchema } from '../src/pipeline/messages.js';
import type { GroupEvent } from '../src/pipeline/PlateGroup.js';
import { read } from './frameReads.js';

const SCHEMAS: [string, z.ZodType][] = [
  ['hit.v1.json', hitMessageSchema],
  ['read.v1.json', readMessageSchema],
];

describe('published message schemas (schemas/*.json)', () => {
  for (const [file, schema] of SCHEMAS) {
    it(`schemas/${file} is the JSON Schema of the zod schema (UPDATE_SCHEMAS=1 rewrites it)`, () => {
      const json = { $id: `https://platewatch.invalid/schemas/${file}`, ...z.toJSONSchema(schema) };
      const out = path.join(packageRoot, 'schemas', file);
      if (process.env.UPDATE_SCHEMAS === '1' || !existsSync(out))
        writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(json);
    });
  }

  it('a hit built from a group event and a real hot-list match validates, with evidence and flags', async () => {
    const store = new HotlistStore(mkdtempSync(path.join(tmpdir(), 'platewatch-schema-')));
    await store.replaceSource('S', [
      { plate: '8SO1234', state: 'NV', category: 'warrant', source: 'S', recordId: 'W1', createdAt: 0 },
    ]);
    const r = read('BSO1234', 0.95, { state: 'CA', plateJpeg: Buffer.from([0xff, 0xd8, 1, 2]) });
    const event: GroupEvent = {
      phase: 'preview',
      trigger: r,
      group: {
        id: 'g1',
        cameraId: 'cam1',
        plate: 'BSO1234',
        confidence: 0.95,
        state: 'CA',
        stateConfidence: 0.9,
        reads: 1,
        firstSeen: r.capturedAt,
        lastSeen: r.capturedAt,
        best: r,
        candidates: r.candidates,
      },
    };
    const [m] = store.lookup('BSO1234', 'CA');
    const hit = hitMessageSchema.parse(createHit(event, m!));
    expect(hit.match.flags).toEqual(['lookalike', 'wrong_state']);
    expect(hit.evidence.plateJpeg).toBe(Buffer.from([0xff, 0xd8, 1, 2]).toString('base64'));
    expect(hit.authorized).toBe(true);
    readMessageSchema.parse(createReadMessage({ ...event, phase: 'final' }));
    await store.close();
  });
});
