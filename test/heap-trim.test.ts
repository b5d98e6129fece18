import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { openCamera } from '../src/capture/camera.js';
import { heapTrimActive } from '../src/capture/heapTrim.js';
import { heapStats, trimHeap } from '../src/native.js';
import { CITY, testCamera } from './capture-helpers.js';

// The child runs the built addon wrapper (dist/, built by the test command's setup).
const root = path.resolve(import.meta.dirname, '..');

// Runs in a child process with --expose-gc, so the C heap is this test's alone: 96 MiB of 64 KiB buffers
// (malloc'd by Node's ArrayBuffer allocator, below glibc's mmap threshold) interleaved with small ones that
// stay alive, so glibc cannot give the freed space back by shrinking the heap's top.
const script = `
import fs from 'node:fs';
const { heapStats, trimHeap } = await import(${JSON.stringify(path.join(root, 'dist/src/native.js'))});
const anon = () => Number(fs.readFileSync('/proc/self/smaps_rollup', 'utf8').match(/^Anonymous:\\s+(\\d+)/m)[1]) / 1024;
let big = [];
const keep = [];
for (let i = 0; i < 1536; i++) { big.push(Buffer.alloc(64 * 1024, 1)); keep.push(Buffer.alloc(9000, 2)); }
const loaded = { anon: anon(), inUse: heapStats().inUse / 2 ** 20 };
big = [];
for (let i = 0; i < 4; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
const freed = { anon: anon(), inUse: heapStats().inUse / 2 ** 20 };
const t = trimHeap();
const trimmed = { anon: anon(), inUse: heapStats().inUse / 2 ** 20 };
console.log(JSON.stringify({ loaded, freed, trimmed, trim: t, kept: keep.length }));
`;

describe('C heap trimming', () => {
  it('trimHeap() gives freed C-heap pages back to the system; what is in use stays', () => {
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    const r = JSON.parse(out.trim().split('\n').at(-1)!);
    // Freed but not trimmed: glibc keeps the pages resident, though they are no longer in use.
    expect(r.loaded.inUse - r.freed.inUse).toBeGreaterThan(80);
    expect(r.loaded.anon - r.freed.anon).toBeLessThan(40);
    // Trimmed: most of the 96 MiB leave the resident set; the bytes in use do not change.
    expect(r.freed.anon - r.trimmed.anon).toBeGreaterThan(60);
    expect(Math.abs(r.trimmed.inUse - r.freed.inUse)).toBeLessThan(2);
    expect(r.trim.released).toBe(true);
    expect(r.trim.ms).toBeGreaterThanOrEqual(0);
  });

  it('runs while a camera is open in the process, and stops when the last one closes', async () => {
    expect(heapTrimActive()).toBe(false);
    const a = openCamera(testCamera({ uri: CITY }));
    const b = openCamera(testCamera({ uri: CITY }));
    expect(heapTrimActive()).toBe(true);
    await a.close();
    await a.close(); // idempotent: releases once
    expect(heapTrimActive()).toBe(true);
    await b.close();
    expect(heapTrimActive()).toBe(false);
    expect(heapStats().inUse).toBeGreaterThan(0);
    expect(typeof trimHeap().released).toBe('boolean');
  });
});
