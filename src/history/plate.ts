/**
 * Plate text as the history indexes it: upper-case letters and digits only, the same rule as the hot
 * list's normalizePlate (src/hotlist/normalize.ts), so a search finds what a hit matched.
 */
export function normalizePlateText(raw: string): string {
  return String(raw)
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}
