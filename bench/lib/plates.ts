/** Deterministic synthetic plates and hot-list entries for benchmarks (seeded, no data needed). */

import { CATEGORY_IDS } from '../../src/categories.js';
import type { HotlistEntry } from '../../src/hotlist/HotlistEntry.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const STATES = ['CA', 'NV', 'AZ', 'OR', 'WA', 'TX', 'NY', 'FL', 'NC', 'OH'];

/** mulberry32: a small, fast, seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomPlate(r: () => number): string {
  const len = 6 + Math.floor(r() * 2);
  let s = '';
  for (let i = 0; i < len; i++) s += ALNUM[Math.floor(r() * 36)];
  return s;
}

export function randomState(r: () => number): string {
  return STATES[Math.floor(r() * STATES.length)]!;
}

/** `count` entries of source `source`; every `keepEvery`-th plate is also returned for lookups. */
export function* entries(
  count: number,
  source: string,
  seed: number,
  kept: { plate: string; state: string }[] = [],
  keepEvery = 100,
): Generator<HotlistEntry> {
  const r = rng(seed);
  for (let i = 0; i < count; i++) {
    const plate = randomPlate(r);
    const state = randomState(r);
    if (i % keepEvery === 0) kept.push({ plate, state });
    yield {
      plate,
      state,
      category: CATEGORY_IDS[i % 7]!,
      source,
      recordId: `N${String(i).padStart(9, '0')}`,
      reason: 'benchmark entry',
      createdAt: 1_764_000_000_000,
    };
  }
}
