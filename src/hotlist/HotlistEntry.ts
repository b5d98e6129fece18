/**
 * The hot-list entry and match types: the contract between the hot-list store (issue 5), its writers
 * (import, and governance's manual entries, issue 6) and its readers (the stream pipeline).
 */
import { type CategoryId, isCategoryId } from '../categories.js';
import { PlatewatchError } from '../errors.js';
import { MAX_PLATE_LENGTH, normalizePlate } from './normalize.js';

export interface HotlistEntry {
  /** Normalized plate (upper-case letters and digits, see normalizePlate). */
  plate: string;
  /** Two-letter state of issuance, absent when the list does not say. */
  state?: string;
  /** The department's category (never the feed's raw code). */
  category: CategoryId;
  /** The list it came from: an import source name ('CA_DOJ', 'NCIC', ...) or 'manual'. */
  source: string;
  /** The record's id in its source (NCIC record number, manual entry id); unique per source and plate. */
  recordId: string;
  /** Reason, incident or notes (AMBER, BOLO, case summary, ...). */
  reason?: string;
  /** User who entered it (manual entries). */
  enteredBy?: string;
  /** CJIS verification reference of the plate (required for manual entries). */
  cjisReference?: string;
  /** When the entry was created in its source, ms since the epoch. */
  createdAt: number;
  /** When it stops matching, ms since the epoch; absent = until removed or replaced by a refresh. */
  expiresAt?: number;
}

/** Which rule matched: the plate as read, or a look-alike of it (O/0, D/0, I/1, B/8, S/5, Z/2, G/6). */
export type MatchRule = 'exact' | 'lookalike';
export const MATCH_RULES: readonly MatchRule[] = ['exact', 'lookalike'];

/** The read's state against the entry's: same, different (flag it: likely another vehicle), unknown. */
export type StateMatch = 'same' | 'different' | 'unknown';

export interface HotlistMatch {
  entry: HotlistEntry;
  rule: MatchRule;
  state: StateMatch;
  /** The plate that was looked up (normalized). */
  plate: string;
  /** Look-alike substitutions between the read and the entry (0 for exact). */
  edits: number;
}

/** What the store knows about one source (one list). */
export interface SourceInfo {
  source: string;
  /** The generation readers see; a refresh writes a new one and flips this in one transaction. */
  activeGen: number;
  /** Highest generation ever started (a crashed import leaves one above activeGen, cleaned at the next). */
  lastGen: number;
  count: number;
  /** When the active list was loaded, ms since the epoch. */
  importedAt: number;
  /**
   * Imported lists: hash bits naming the active generation's buckets (bucketLines.ts); absent for a list
   * written before hashed buckets (named by the skeleton's first characters) and for manual entries.
   */
  bucketBits?: number;
  file?: string;
  format?: string;
}

/** A hot-list entry or a hot-list file is invalid, or the store cannot be written. */
export class HotlistError extends PlatewatchError {}

const STATE = /^[A-Z]{2}$/;
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
let lastSource = '';

/**
 * Validates and normalizes an entry; throws a HotlistError (ERR_HOTLIST_ENTRY) naming the field.
 * Used by every writer, so what the reader sees is always normalized.
 */
export function validateEntry(input: HotlistEntry): HotlistEntry {
  const bad = (field: string, why: string): never => {
    throw new HotlistError('ERR_HOTLIST_ENTRY', `hot-list entry: ${field} ${why}`);
  };
  if (typeof input !== 'object' || input === null) bad('(entry)', 'must be an object');
  const plate = normalizePlate(String(input.plate ?? ''));
  if (!plate) bad('plate', `is empty after normalization (got ${JSON.stringify(input.plate)})`);
  if (plate.length > MAX_PLATE_LENGTH) bad('plate', `is longer than ${MAX_PLATE_LENGTH} characters (${plate})`);
  const out: HotlistEntry = {
    plate,
    category: input.category,
    source: input.source,
    recordId: String(input.recordId ?? '').trim(),
    createdAt: input.createdAt,
  };
  if (input.state !== undefined && input.state !== '') {
    const state = String(input.state).toUpperCase();
    if (!STATE.test(state)) bad('state', `must be a two-letter code (got ${JSON.stringify(input.state)})`);
    out.state = state;
  }
  if (!isCategoryId(String(input.category))) bad('category', `is not a department category (got ${input.category})`);
  if (input.source !== lastSource) {
    if (!TOKEN.test(String(input.source))) bad('source', `must be letters, digits, _ or - (got ${input.source})`);
    lastSource = input.source; // an import validates one source millions of times
  }
  if (!out.recordId) bad('recordId', 'is required');
  if (!Number.isFinite(input.createdAt)) bad('createdAt', 'must be a time in ms since the epoch');
  if (input.expiresAt !== undefined) {
    if (!Number.isFinite(input.expiresAt)) bad('expiresAt', 'must be a time in ms since the epoch');
    out.expiresAt = input.expiresAt;
  }
  for (const k of ['reason', 'enteredBy', 'cjisReference'] as const) {
    const v = input[k];
    if (v !== undefined && v !== '') out[k] = String(v);
  }
  return out;
}
