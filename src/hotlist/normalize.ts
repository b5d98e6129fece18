/**
 * Plate normalisation, shared by every writer (import, manual entries) and every reader (the stream
 * pipeline): the one place that decides when two plate strings are "the same plate".
 */

/** Longest plate accepted (US plates have at most 8 characters; some feeds pad vanity plates). */
export const MAX_PLATE_LENGTH = 10;

const NOT_ALNUM = /[^A-Z0-9]/g;

/** Upper case, letters and digits only: `' abc-123 '` -> `'ABC123'`. Returns '' when nothing is left. */
export function normalizePlate(raw: string): string {
  // Fast path: reads from the recognizer are already normalized; no allocation then.
  let clean = true;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57))) {
      clean = false;
      break;
    }
  }
  return clean ? raw : raw.toUpperCase().replace(NOT_ALNUM, '');
}

/**
 * Look-alike characters of the department's order (O/0, D/0, I/1, B/8, S/5, Z/2, G/6), each folded to
 * the digit so that plates differing only by look-alikes share one skeleton.
 */
export const LOOKALIKE_FOLD: Readonly<Record<string, string>> = {
  O: '0',
  D: '0',
  I: '1',
  B: '8',
  S: '5',
  Z: '2',
  G: '6',
};

/** The look-alike skeleton of a normalized plate: `'BS0123'` and `'8SO123'` both give `'850123'`. */
export function plateSkeleton(normalized: string): string {
  let i = 0;
  while (i < normalized.length && FOLD_CODE[normalized.charCodeAt(i)] === 0) i++;
  if (i === normalized.length) return normalized; // nothing to fold: no allocation
  const codes = new Array<number>(normalized.length);
  for (let j = 0; j < normalized.length; j++) {
    const c = normalized.charCodeAt(j);
    codes[j] = FOLD_CODE[c] || c;
  }
  return String.fromCharCode(...codes);
}

/** Char code -> folded char code (0: unchanged), for the look-alikes above. */
const FOLD_CODE = new Uint16Array(128);
for (const [from, to] of Object.entries(LOOKALIKE_FOLD)) FOLD_CODE[from.charCodeAt(0)] = to.charCodeAt(0);

/** Number of positions where two plates of equal skeleton differ (both normalized, same length). */
export function lookalikeEdits(a: string, b: string): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) n++;
  return n;
}

/** True when a and b are within one edit (substitution, insertion or deletion) of each other. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  if (la === lb) {
    let diff = 0;
    for (let i = 0; i < la; i++) if (a.charCodeAt(i) !== b.charCodeAt(i) && ++diff > 1) return false;
    return true;
  }
  const [s, l] = la < lb ? [a, b] : [b, a];
  let i = 0;
  let j = 0;
  let skipped = false;
  while (i < s.length && j < l.length) {
    if (s.charCodeAt(i) === l.charCodeAt(j)) {
      i++;
      j++;
    } else {
      if (skipped) return false;
      skipped = true;
      j++;
    }
  }
  return true;
}
