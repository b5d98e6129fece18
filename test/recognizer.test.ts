/**
 * The plate reader (rectify -> read -> decode -> state) on plates the project renders itself
 * (tools/synth/plate.py), and its behaviour on bad input. Needs the committed models/, not ../shared.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { describe, expect, it } from 'vitest';

import { ImageInputError, ModelError } from '../src/errors.js';
import { maxImagePixels, nativeMaxImagePixels, recognize } from '../src/native.js';
import { modelDir } from '../src/paths.js';
import { fixtureDir, PYTHON, renderPlate } from './fixtures.js';

const crop = { wholeImageIsPlate: true } as const;

/** Writes an image made by a line of numpy/cv2 code (`img` must be assigned); returns its path. */
function makeImage(name: string, code: string): string {
  const out = path.join(fixtureDir(), name);
  execFileSync(PYTHON, ['-c', `import numpy as np, cv2\n${code}\nassert cv2.imwrite(${JSON.stringify(out)}, img)`]);
  return out;
}

describe('plate reader on rendered plates', () => {
  const plates: [string, string][] = [
    ['7ABC123', 'ca'],
    ['KXR4821', 'tx'],
    ['HDF2040', 'ny'],
    ['5NB018', 'il'],
  ];
  for (const [text, state] of plates) {
    it(`reads ${text} (${state}) from a rendered plate crop`, async () => {
      const res = await recognize(renderPlate(text, state), crop);
      expect(res.reads).toHaveLength(1);
      const read = res.reads[0]!;
      expect(read.plate).toBe(text);
      expect(read.confidence).toBeGreaterThan(0.5);
      expect(read.confidence).toBeLessThanOrEqual(1);
      expect(read.charConfidences).toHaveLength(text.length);
      for (const c of read.charConfidences) expect(c).toBeGreaterThanOrEqual(0.35);
      expect(read.candidates[0]!.plate).toBe(text);
      expect(read.box).toEqual({ x: 0, y: 0, width: 300, height: 150 });
      expect(Object.keys(res.stageMs)).toEqual([
        'whole_image_plate',
        'rectify_plate',
        'read_plate',
        'decode_plate',
        'identify_state',
      ]);
      // CPU time of the recognizing thread per stage: the same stages, and never more than their wall time.
      expect(Object.keys(res.stageCpuMs)).toEqual(Object.keys(res.stageMs));
      for (const [stage, cpu] of Object.entries(res.stageCpuMs)) {
        expect(cpu).toBeGreaterThanOrEqual(0);
        expect(cpu).toBeLessThanOrEqual(res.stageMs[stage]! + 0.05);
      }
    });
  }

  it('top-N alternatives are distinct, best first, at most topN', async () => {
    const res = await recognize(renderPlate('8BRS512', 'ca'), { ...crop, topN: 3 });
    const c = res.reads[0]!.candidates;
    expect(c.length).toBeGreaterThan(0);
    expect(c.length).toBeLessThanOrEqual(3);
    expect(new Set(c.map((x) => x.plate)).size).toBe(c.length);
    for (let i = 1; i < c.length; i++) expect(c[i]!.confidence).toBeLessThanOrEqual(c[i - 1]!.confidence);
  });

  it('reports a two-letter state with a confidence, or none when unsure', async () => {
    const res = await recognize(renderPlate('6TRJ244', 'ca'), { ...crop, stateMinConfidence: 0 });
    const read = res.reads[0]!;
    expect(read.state).toMatch(/^[A-Z]{2}$/);
    expect(read.stateConfidence).toBeGreaterThan(0);
    const strict = await recognize(renderPlate('6TRJ244', 'ca'), { ...crop, stateMinConfidence: 1 });
    expect(strict.reads[0]!.state).toBeUndefined();
  });

  it('rejects a crop with no plate text (noise, a flat wall)', async () => {
    const noise = makeImage(
      'noise.png',
      'img = np.random.default_rng(3).integers(0, 255, (64, 128, 3)).astype(np.uint8)',
    );
    const flat = makeImage('flat.png', 'img = np.full((80, 160, 3), 128, np.uint8)');
    for (const f of [noise, flat]) expect((await recognize(f, crop)).reads).toEqual([]);
  });

  it('a read below minCharConfidence is rejected', async () => {
    // A blurred, shrunk plate, so that no model is certain of every character.
    const src = renderPlate('7ABC123', 'ca');
    const soft = makeImage(
      'plate-soft.png',
      `img = cv2.resize(cv2.GaussianBlur(cv2.resize(cv2.imread(${JSON.stringify(src)}), (48, 24), interpolation=cv2.INTER_AREA), (0, 0), 1.2), (300, 150))`,
    );
    const open = await recognize(soft, { ...crop, minCharConfidence: 0, minConfidence: 0 });
    expect(open.reads).toHaveLength(1);
    const least = Math.min(...open.reads[0]!.charConfidences);
    expect(least).toBeLessThan(0.999);
    const strict = await recognize(soft, { ...crop, minCharConfidence: Math.min(1, least + 0.001), minConfidence: 0 });
    expect(strict.reads).toEqual([]);
  });
});

describe('plate reader with bad input never crashes', () => {
  const images: [string, () => string][] = [
    ['a 1x1 image', () => makeImage('tiny.png', 'img = np.zeros((1, 1, 3), np.uint8)')],
    ['a 3x2 image', () => makeImage('tiny2.png', 'img = np.full((2, 3, 3), 200, np.uint8)')],
    [
      'an 8K image',
      () => makeImage('8k.png', 'img = np.zeros((4320, 7680, 3), np.uint8); img[2000:2150, 3000:3300] = 255'),
    ],
    [
      'a grey-scale plate',
      () => makeImage('grey.png', `img = cv2.imread(${JSON.stringify(renderPlate('GRY123'))}, cv2.IMREAD_GRAYSCALE)`),
    ],
    [
      'a 4-channel plate',
      () =>
        makeImage(
          'bgra.png',
          `img = cv2.cvtColor(cv2.imread(${JSON.stringify(renderPlate('RGBA42'))}), cv2.COLOR_BGR2BGRA)`,
        ),
    ],
  ];
  for (const [what, make] of images) {
    for (const mode of ['crop', 'scene'] as const) {
      it(`${what} as a ${mode} resolves with a reads array`, async () => {
        const res = await recognize(make(), mode === 'crop' ? crop : {});
        expect(Array.isArray(res.reads)).toBe(true);
        for (const r of res.reads) expect(r.plate).toMatch(/^[A-Z0-9]{2,10}$/);
      });
    }
  }

  it('grey-scale and 4-channel plates are still read', async () => {
    const grey = makeImage(
      'grey2.png',
      `img = cv2.imread(${JSON.stringify(renderPlate('4GRY512'))}, cv2.IMREAD_GRAYSCALE)`,
    );
    const bgra = makeImage(
      'bgra2.png',
      `img = cv2.cvtColor(cv2.imread(${JSON.stringify(renderPlate('7RGB300'))}), cv2.COLOR_BGR2BGRA)`,
    );
    expect((await recognize(grey, crop)).reads[0]?.plate).toBe('4GRY512');
    expect((await recognize(bgra, crop)).reads[0]?.plate).toBe('7RGB300');
  });

  it('an image whose header claims more than maxImagePixels is refused before a pixel is decoded', () => {
    expect(maxImagePixels).toBe(nativeMaxImagePixels);
    // 8200 x 8200 grey zeros: a 0.2 MB PNG that would decode to 67 Mpx (200 MB as BGR), just over the limit.
    const bomb = makeImage('bomb.png', 'img = np.zeros((8200, 8200), np.uint8)');
    // In a fresh process, so that its peak memory says whether the pixels were ever allocated.
    const script = `const { recognize } = await import(${JSON.stringify(pathToFileURL(path.resolve('dist/src/native.js')).href)});
const e = await recognize(${JSON.stringify(bomb)}).then(() => null, (err) => err);
console.log(JSON.stringify({ code: e?.code, message: e?.message, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));`;
    // Without this process's OPENCV_IO_MAX_IMAGE_PIXELS (set when it loaded the addon): the child must set its own.
    const { OPENCV_IO_MAX_IMAGE_PIXELS: _, ...env } = process.env;
    const out = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env }),
    );
    expect(out.code).toBe('ERR_IMAGE_TOO_LARGE');
    expect(out.message).toMatch(/header claims more than the 67108864 pixel limit/);
    // Decoding it would take the process past ~370 MiB (measured: 1.2 GiB for a 20000 x 20000 one).
    expect(out.maxRssMiB).toBeLessThan(250);
  });

  it('an image file over 256 MiB is refused unread, naming the file and its size', async () => {
    const big = path.join(fixtureDir(), 'huge.jpg');
    writeFileSync(big, '');
    truncateSync(big, 256 * 1024 * 1024 + 1); // sparse: no disk space, no memory
    const err = (await recognize(big).catch((e: unknown) => e)) as ImageInputError;
    expect(err).toBeInstanceOf(ImageInputError);
    expect(err.code).toBe('ERR_IMAGE_TOO_LARGE');
    expect(err.message).toContain(`'${big}' is 268435457 bytes, more than the 268435456 byte limit`);
    rmSync(big);
  });

  it('a failed decode names the format: a cut-off PNG is corrupt, a GIF is unsupported, bytes are not an image', async () => {
    const png = readFileSync(renderPlate('TRUNC42'));
    const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(64, 1)]);
    const message = async (input: Buffer) => ((await recognize(input).catch((e: unknown) => e)) as Error).message;
    expect(await message(png.subarray(0, 200))).toBe('PNG data could not be decoded: corrupt or truncated (200 bytes)');
    expect(await message(gif)).toMatch(/^GIF images are not supported \(70 bytes; expected JPEG, PNG/);
    expect(await message(Buffer.from('not an image at all'))).toMatch(/^data is not a supported image \(19 bytes/);
  });

  it('corrupt and empty inputs reject with ImageInputError in crop mode too', async () => {
    for (const input of [Buffer.alloc(0), Buffer.from('not an image at all')]) {
      const err = await recognize(input, crop).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImageInputError);
    }
  });
});

describe('plate reader model files', () => {
  it('readerModel picks the reader: plate_ocr (v3, 64x128) by default, plate_ocr_fast (v2, 48x96) on request', async () => {
    const meta = (name: string) =>
      JSON.parse(readFileSync(path.join(modelDir, `${name}.json`), 'utf8')) as { input_width: number; onnx: string };
    expect(meta('plate_ocr')).toMatchObject({ input_width: 128, onnx: 'plate_ocr.onnx' });
    expect(meta('plate_ocr_fast')).toMatchObject({ input_width: 96, onnx: 'plate_ocr_fast.onnx' });
    const plate = renderPlate('7ABC123', 'ca');
    const byReader = new Map<string, number[]>();
    for (const readerModel of [undefined, 'plate_ocr', 'plate_ocr_fast']) {
      const res = await recognize(plate, { ...crop, ...(readerModel ? { readerModel } : {}) });
      expect(res.reads[0]?.plate).toBe('7ABC123');
      byReader.set(readerModel ?? 'default', res.reads[0]!.charConfidences);
    }
    // Two different networks: the same plate gets different per-character probabilities.
    expect(byReader.get('default')).toEqual(byReader.get('plate_ocr'));
    expect(byReader.get('plate_ocr_fast')).not.toEqual(byReader.get('plate_ocr'));
    // A scene goes through the rectifier, which takes its margins from the chosen reader's metadata.
    const scene = await recognize(plate, { readerModel: 'plate_ocr_fast' });
    expect(Array.isArray(scene.reads)).toBe(true);
  });

  it('rereadFrames is for cameras: recognize() on a still image refuses it with a TypeError', async () => {
    expect(() => recognize(renderPlate('MDL123'), { ...crop, rereadFrames: 4 })).toThrow(/cameras only/);
    const res = await recognize(renderPlate('MDL123'), { ...crop, rereadFrames: 0 });
    expect(res.stageMs).not.toHaveProperty('schedule_reads');
  });

  it('an unknown readerModel rejects with ModelError naming the missing file; a path is a TypeError', async () => {
    const err = await recognize(renderPlate('MDL123'), { ...crop, readerModel: 'plate_ocr_v9' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toContain('plate_ocr_v9.json');
    for (const bad of ['../plate_ocr', 'a/b', '', '.hidden']) {
      expect(() => recognize(renderPlate('MDL123'), { ...crop, readerModel: bad })).toThrow(TypeError);
    }
  });

  it('a missing model folder rejects with ModelError ERR_MODEL naming the path', async () => {
    const dir = path.join(fixtureDir(), 'no-models');
    mkdirSync(dir, { recursive: true });
    const err = await recognize(renderPlate('MDL123'), { ...crop, modelDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('ERR_MODEL');
    expect((err as Error).message).toContain(dir);
  });

  it('a corrupt network file rejects with ModelError naming the file', async () => {
    const dir = path.join(fixtureDir(), 'bad-models');
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(modelDir, 'plate_ocr.json'), path.join(dir, 'plate_ocr.json'));
    writeFileSync(path.join(dir, 'plate_ocr.onnx'), 'this is not an ONNX graph');
    const err = await recognize(renderPlate('MDL456'), { ...crop, modelDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toContain(path.join(dir, 'plate_ocr.onnx'));
  });

  it('malformed metadata rejects with ModelError', async () => {
    const dir = path.join(fixtureDir(), 'bad-meta');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'plate_ocr.json'), '{"slots": ');
    const err = await recognize(renderPlate('MDL789'), { ...crop, modelDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
  });
});
