import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ImageInputError } from '../src/errors.js';
import { noop, recognize, versions } from '../src/native.js';
import { fixtureDir, renderPlate } from './fixtures.js';

describe('native addon', () => {
  it('loads and reports the system library versions it was built against', () => {
    const v = versions();
    expect(v.opencv).toMatch(/^4\.6\./);
    expect(v.gstreamer).toMatch(/^1\.22\./);
    expect(v.napi).toBe(8);
    expect(noop()).toBeUndefined();
  });

  it('recognize() takes a path or a buffer and returns typed reads', async () => {
    const file = renderPlate('7ABC123');
    const fromPath = await recognize(file);
    const fromBuffer = await recognize(readFileSync(file));
    for (const r of [fromPath, fromBuffer]) {
      expect(r.width).toBe(300);
      expect(r.height).toBe(150);
      expect(Array.isArray(r.reads)).toBe(true);
      expect(r.decodeMs).toBeGreaterThanOrEqual(0);
      expect(Object.keys(r.stageMs).length).toBeGreaterThan(0);
      for (const read of r.reads) {
        expect(read.box.width).toBeGreaterThan(0);
        expect(typeof read.plate).toBe('string');
        expect(Array.isArray(read.candidates)).toBe(true);
      }
    }
  });
});

describe('recognize() with bad input', () => {
  const cases: [string, () => Buffer | string, string][] = [
    ['an empty buffer', () => Buffer.alloc(0), 'ERR_EMPTY_INPUT'],
    ['bytes that are not an image', () => Buffer.from('definitely not a picture'), 'ERR_IMAGE_DECODE'],
    ['a missing file', () => path.join(fixtureDir(), 'missing.jpg'), 'ERR_FILE_NOT_FOUND'],
    ['a directory', () => fixtureDir(), 'ERR_NOT_A_FILE'],
    [
      'a truncated JPEG',
      () => {
        const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
        return Buffer.concat([jpeg, Buffer.alloc(500, 0x20)]);
      },
      'ERR_IMAGE_TRUNCATED',
    ],
    [
      'a truncated PNG',
      () => {
        const png = readFileSync(renderPlate('TRUNC1'));
        const out = path.join(fixtureDir(), 'truncated.png');
        writeFileSync(out, png.subarray(0, Math.floor(png.length / 2)));
        return out;
      },
      'ERR_IMAGE_DECODE',
    ],
  ];

  for (const [what, input, code] of cases) {
    it(`${what} rejects with ImageInputError ${code}`, async () => {
      const err = await recognize(input()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImageInputError);
      expect((err as ImageInputError).code).toBe(code);
      expect((err as Error).message.length).toBeGreaterThan(10);
    });
  }

  it('a native rejection carries a stack that names the caller', async function callerOfRecognize() {
    const err = (await recognize(Buffer.from('xx')).catch((e: unknown) => e)) as Error;
    expect(err.stack).toContain('ImageInputError [ERR_IMAGE_DECODE]');
    expect(err.stack).toContain('native.test.ts');
  });

  it('misuse throws a TypeError synchronously, naming the property', () => {
    expect(() => recognize(42 as unknown as string)).toThrow(TypeError);
    expect(() => recognize(Buffer.alloc(1), { topN: -1 })).toThrow(/options\.topN/);
    expect(() => recognize(Buffer.alloc(1), { minConfidence: 'high' as unknown as number })).toThrow(
      /options\.minConfidence/,
    );
  });
});
