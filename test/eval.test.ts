/**
 * `platewatch eval`: label parsing and scoring (pure), and the command end to end on folders of
 * plates the project renders itself (crops) and on no-plate images (scenes with plate `-`).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { EvalSetError, loadLabelledSet, normalizePlate, parseCrops, parseScenes } from '../src/eval/labels.js';
import { iou, percentile } from '../src/eval/metrics.js';
import { PYTHON, platewatch, renderPlate } from './fixtures.js';

describe('eval labels and metrics', () => {
  it('parses scenes (tsv) with a header, and `-` as no plate', () => {
    const rows = parseScenes(
      'file\tx\ty\twidth\theight\tplate\na.jpg\t10\t20\t100\t40\tab-c 12\nb.jpg\t0\t0\t0\t0\t-\n',
      't',
    );
    expect(rows).toEqual([
      { file: 'a.jpg', plate: 'ABC12', box: { x: 10, y: 20, width: 100, height: 40 } },
      { file: 'b.jpg', plate: '' },
    ]);
  });

  it('parses crops (csv) and upper-cases the state', () => {
    expect(parseCrops('file,state,plate\nx.png,ca,7abc123\n', 't')).toEqual([
      { file: 'x.png', state: 'CA', plate: '7ABC123' },
    ]);
  });

  it('a malformed row throws EvalSetError naming the line', () => {
    expect(() => parseScenes('a.jpg\t1\t2\n', 'labels.tsv')).toThrow(/labels\.tsv:1/);
    expect(() => parseScenes('a.jpg\t1\t2\tx\t4\tAB\n', 'labels.tsv')).toThrow(EvalSetError);
    expect(() => parseCrops('a.png,ca\n', 'labels.csv')).toThrow(/labels\.csv:1/);
  });

  it('a folder without labels throws EvalSetError', () => {
    expect(() => loadLabelledSet(mkdtempSync(path.join(tmpdir(), 'pw-eval-')))).toThrow(EvalSetError);
  });

  it('plates compare as upper-case letters and digits only', () => {
    expect(normalizePlate('abc-12 3·')).toBe('ABC123');
  });

  it('iou and percentile', () => {
    expect(iou({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(50 / 150);
    expect(iou({ x: 0, y: 0, width: 10, height: 10 }, { x: 20, y: 0, width: 10, height: 10 })).toBe(0);
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 90)).toBe(5);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
  });
});

describe('platewatch eval', () => {
  it('scores a folder of rendered plate crops (labels.csv) with --json', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pw-crops-'));
    const plates: [string, string][] = [
      ['7ABC123', 'ca'],
      ['KXR4821', 'tx'],
      ['5NB018', 'il'],
    ];
    const rows = ['file,state,plate'];
    for (const [text, state] of plates) {
      copyFileSync(renderPlate(text, state), path.join(dir, `${text}.png`));
      rows.push(`${text}.png,${state},${text}`);
    }
    rows.push('WRONG1.png,ca,ZZZ999');
    copyFileSync(renderPlate('WRONG1', 'ca'), path.join(dir, 'WRONG1.png'));
    writeFileSync(path.join(dir, 'labels.csv'), `${rows.join('\n')}\n`);
    const { stdout, code } = await platewatch('eval', dir, '--json', '--top', '3');
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r.kind).toBe('crops');
    expect(r.images).toBe(4);
    expect(r.top1).toBeCloseTo(3 / 4);
    expect(r.n).toBe(3);
    expect(r.topN).toBeGreaterThanOrEqual(r.top1);
    expect(r.stateAccuracy).toBeGreaterThanOrEqual(0);
    expect(r.stateAccuracy).toBeLessThanOrEqual(1);
    expect(r.msMedian).toBeGreaterThan(0);
    expect(r.msP90).toBeGreaterThanOrEqual(r.msMedian);
    expect(r.decodeMsMedian).toBeGreaterThan(0);
    expect(r.threads).toBe(1);
    expect(r.failures.map((f: { file: string }) => f.file)).toEqual(['WRONG1.png']);
    // A miss lists the best read's readings, its own text first, at most --top of them.
    const miss = r.failures[0];
    expect(miss.read).toBe('WRONG1');
    expect(miss.candidates[0]).toBe('WRONG1');
    expect(miss.candidates.length).toBeGreaterThanOrEqual(1);
    expect(miss.candidates.length).toBeLessThanOrEqual(3);
    expect(miss.candidates).not.toContain('ZZZ999');
  });

  it('counts every read on a no-plate scene set as an extra read, and prints a table without --json', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pw-scenes-'));
    mkdirSync(dir, { recursive: true });
    const rows = ['file\tx\ty\twidth\theight\tplate'];
    for (let i = 0; i < 2; i++) {
      const file = path.join(dir, `empty${i}.png`);
      execFileSync(PYTHON, [
        '-c',
        `import numpy as np, cv2\ncv2.imwrite(${JSON.stringify(file)}, np.full((360, 640, 3), ${60 + i * 80}, np.uint8))`,
      ]);
      rows.push(`empty${i}.png\t0\t0\t0\t0\t-`);
    }
    writeFileSync(path.join(dir, 'labels.tsv'), `${rows.join('\n')}\n`);
    const json = JSON.parse((await platewatch('eval', dir, '--json', '--threads', '2')).stdout);
    expect(json.kind).toBe('scenes');
    expect(json.images).toBe(2);
    expect(json.plates).toBe(0);
    expect(json.top1).toBeNull();
    expect(json.extraReadsPerImage).toBe(0);
    expect(json.threads).toBe(2);
    const table = await platewatch('eval', dir);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/reads elsewhere \/ image\s+0\.000/);
  });

  it('a folder without labels exits 2 with ERR_EVAL_SET', async () => {
    const { code, stderr } = await platewatch('eval', mkdtempSync(path.join(tmpdir(), 'pw-none-')));
    expect(code).toBe(2);
    expect(stderr).toContain('ERR_EVAL_SET');
  });

  it('--threads must be a positive integer', async () => {
    const { code, stderr } = await platewatch('eval', '.', '--threads', '0');
    expect(code).not.toBe(0);
    expect(stderr).toContain('--threads');
  });
});
