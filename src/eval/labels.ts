/**
 * The two labelled-set formats `platewatch eval` reads:
 * - scenes: `<dir>/labels.tsv`, rows `file  x  y  width  height  plate` (plate `-`: no plate in the image);
 * - crops: `<dir>/labels.csv`, rows `file,state,plate` (state a two-letter code).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { PlatewatchError } from '../errors.js';
import type { Box } from '../native.js';

/** The evaluation set is missing, unreadable or malformed. */
export class EvalSetError extends PlatewatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_EVAL_SET', message, options);
  }
}

export interface SceneLabel {
  file: string;
  /** The labelled plate's box; absent when the image holds no plate (`-`). */
  box?: Box;
  /** Upper-case letters and digits; empty when the image holds no plate. */
  plate: string;
}

export interface CropLabel {
  file: string;
  state: string;
  plate: string;
}

export type LabelledSet =
  | { kind: 'scenes'; dir: string; labels: SceneLabel[] }
  | { kind: 'crops'; dir: string; labels: CropLabel[] };

/** Plates compare as upper-case letters and digits only. */
export function normalizePlate(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

function isHeader(cells: string[]): boolean {
  return cells[0]?.toLowerCase() === 'file';
}

export function parseScenes(text: string, source: string): SceneLabel[] {
  const out: SceneLabel[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const cells = line.split('\t').map((c) => c.trim());
    if (isHeader(cells)) return;
    if (cells.length < 6)
      throw new EvalSetError(
        `${source}:${i + 1}: expected 6 tab-separated fields (file x y width height plate), got ${cells.length}`,
      );
    const [file, xs, ys, ws, hs, plate] = cells as [string, string, string, string, string, string];
    const nums = [xs, ys, ws, hs].map(Number);
    if (nums.some((n) => !Number.isFinite(n) || n < 0))
      throw new EvalSetError(`${source}:${i + 1}: box fields must be non-negative numbers`);
    const [x, y, width, height] = nums as [number, number, number, number];
    const none = plate === '-';
    out.push({
      file,
      plate: none ? '' : normalizePlate(plate),
      ...(none || width === 0 ? {} : { box: { x, y, width, height } }),
    });
  });
  return out;
}

export function parseCrops(text: string, source: string): CropLabel[] {
  const out: CropLabel[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim());
    if (isHeader(cells)) return;
    if (cells.length < 3)
      throw new EvalSetError(
        `${source}:${i + 1}: expected 3 comma-separated fields (file,state,plate), got ${cells.length}`,
      );
    const [file, state, plate] = cells as [string, string, string];
    out.push({ file, state: state.toUpperCase(), plate: normalizePlate(plate) });
  });
  return out;
}

/** Reads `<dir>/labels.tsv` (scenes) or `<dir>/labels.csv` (crops). */
export function loadLabelledSet(dir: string): LabelledSet {
  const tsv = path.join(dir, 'labels.tsv');
  const csv = path.join(dir, 'labels.csv');
  if (existsSync(tsv)) return { kind: 'scenes', dir, labels: parseScenes(readFileSync(tsv, 'utf8'), tsv) };
  if (existsSync(csv)) return { kind: 'crops', dir, labels: parseCrops(readFileSync(csv, 'utf8'), csv) };
  throw new EvalSetError(`${dir}: neither labels.tsv (scenes) nor labels.csv (crops) found`);
}
