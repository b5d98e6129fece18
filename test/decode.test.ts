/**
 * The decode stage alone (native/stages/decode_plate.cpp) on exact probabilities: the format prior
 * and the look-alike projection settle O/0 by the state's serial formats when the state is known,
 * and never otherwise. Uses the committed models/plate_ocr.json (alphabet, steps, states, formats).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { decodeText } from '../src/native.js';
import { modelDir } from '../src/paths.js';

const meta = JSON.parse(readFileSync(path.join(modelDir, 'plate_ocr.json'), 'utf8')) as {
  alphabet: string;
  steps: number;
  states: string[];
  formats: Record<string, string[]>;
};
const classes = meta.alphabet.length + 1;
const blank = meta.alphabet.length;

/** CTC columns that spell `text` with probability `p` per character column (blanks between). */
function columns(text: string, p = 0.999): Float32Array {
  const out = new Float32Array(meta.steps * classes);
  const slots = text.length * 2;
  expect(slots).toBeLessThanOrEqual(meta.steps);
  for (let t = 0; t < meta.steps; t++) {
    const k = t % 2 === 0 && t / 2 < text.length ? meta.alphabet.indexOf(text[t / 2]!) : blank;
    for (let c = 0; c < classes; c++) out[t * classes + c] = c === k ? p : (1 - p) / (classes - 1);
  }
  return out;
}

/** State probabilities: `code` at `p`, the rest spread evenly (p undefined: all states equal). */
function states(code?: string, p = 0.95): Float32Array {
  const n = meta.states.length;
  const out = new Float32Array(n).fill(code ? (1 - p) / (n - 1) : 1 / n);
  if (code) out[meta.states.indexOf(code)] = p;
  return out;
}

/** As columns(), but the character at `at` shared with `other`, which gets `pOther` of it. */
function split(text: string, at: number, other: string, pOther: number): Float32Array {
  const out = columns(text);
  const row = at * 2 * classes;
  out[row + meta.alphabet.indexOf(text[at]!)] = 0.999 - pOther;
  out[row + meta.alphabet.indexOf(other)] = pOther;
  return out;
}

const read = (text: string, state?: string) => decodeText(columns(text), states(state), { topN: 5 }).reads[0]!;

describe('decode stage: format prior and look-alikes', () => {
  it('the test inputs mean what they say: Iowa serials are DDDLLL or LLLDDD', () => {
    expect(meta.formats.ia).toEqual(['DDDLLL', 'LLLDDD']);
  });

  it('reads a certain text that fits the state as it is', () => {
    expect(read('444NOQ', 'ia').plate).toBe('444NOQ');
    expect(read('444NOQ', 'ia').confidence).toBeGreaterThan(0.9);
  });

  it('a certain 0 where every format of a sure state wants a letter reads as O, with the 0 as the runner-up', () => {
    const r = read('444N0Q', 'ia');
    expect(r.plate).toBe('444NOQ');
    expect(r.candidates.map((c) => c.plate)).toContain('444N0Q');
    expect(read('0QK466', 'ia').plate).toBe('OQK466');
    expect(read('778AO5', 'ia').plate).toBe('778AO5'); // S/5 only adds an alternative
  });

  it('with no sure state, a 0 stays a 0', () => {
    expect(read('444N0Q').plate).toBe('444N0Q');
    expect(read('444N0Q', 'ia').plate).not.toBe(read('444N0Q').plate);
  });

  it('other look-alikes (Z/2, B/8, ...) only add alternatives: a certain character is kept', () => {
    const r = read('5812HJ', 'ia');
    expect(r.plate).toBe('5812HJ');
    expect(r.candidates.map((c) => c.plate)).toContain('581ZHJ');
  });

  it('a text that fits no format (a vanity plate) keeps its characters', () => {
    expect(read('B0ATS', 'ia').plate).toBe('B0ATS');
    expect(read('G0HAWKS', 'ia').plate).toBe('G0HAWKS');
  });

  it('an O the network is not much surer of than a 0 reads as 0 on a US plate, and stays O when no state is sure', () => {
    const close = split('BOATS', 1, '0', 0.4); // O 0.6, 0 0.4; BOATS and B0ATS fit no Iowa format alike
    expect(decodeText(close, states('ia'), { topN: 5 }).reads[0]!.plate).toBe('B0ATS');
    expect(decodeText(close, states(), { topN: 5 }).reads[0]!.plate).toBe('BOATS'); // e.g. a foreign plate
    const sure = split('BOATS', 1, '0', 0.1); // O 0.9: a clear O is kept
    expect(decodeText(sure, states('ia'), { topN: 5 }).reads[0]!.plate).toBe('BOATS');
  });

  it('rejects probabilities of the wrong size, naming the array', () => {
    expect(() => decodeText(new Float32Array(3), states('ia'))).toThrow(/textProbs must hold/);
    expect(() => decodeText(columns('ABC123'), new Float32Array(2))).toThrow(/stateProbs must hold/);
    expect(() => decodeText([] as unknown as Float32Array, states('ia'))).toThrow(/Float32Array/);
  });
});
