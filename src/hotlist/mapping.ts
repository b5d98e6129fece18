/**
 * Per-source category mapping: a feed's own category codes -> the department's categories. Letters differ
 * between feeds, so the importer never keys off a raw code: every code must be listed in the source's
 * mapping file, and an unlisted code rejects its line.
 *
 * File format (YAML): `categories: { <feed code>: <department category id>, ... }`.
 */
import { readFileSync } from 'node:fs';

import { parse as parseYaml } from 'yaml';

import { CATEGORY_IDS, type CategoryId, isCategoryId } from '../categories.js';
import { HotlistError } from './HotlistEntry.js';

export interface CategoryMapping {
  file: string;
  codes: ReadonlyMap<string, CategoryId>;
}

export function loadMapping(file: string): CategoryMapping {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HotlistError('ERR_HOTLIST_MAPPING', `mapping file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const cats = (doc as { categories?: unknown })?.categories;
  if (typeof cats !== 'object' || cats === null || Array.isArray(cats)) {
    throw new HotlistError(
      'ERR_HOTLIST_MAPPING',
      `mapping file ${file}: needs a 'categories' mapping of feed code -> category`,
    );
  }
  const codes = new Map<string, CategoryId>();
  for (const [code, cat] of Object.entries(cats)) {
    if (!isCategoryId(String(cat))) {
      throw new HotlistError(
        'ERR_HOTLIST_MAPPING',
        `mapping file ${file}: categories.${code}: '${cat}' is not one of ${CATEGORY_IDS.join(', ')}`,
      );
    }
    codes.set(code.trim().toUpperCase(), cat as CategoryId);
  }
  return { file, codes };
}
