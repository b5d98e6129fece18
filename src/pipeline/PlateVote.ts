/**
 * Character-level vote over the reads of one vehicle, weighted by confidence: the most common length
 * wins, then each position takes the character with the highest summed character confidence.
 * Incremental (add() is O(plate length), no allocation once a length is known), so grouping keeps up.
 */
import type { PlateAlternative } from '../native.js';

/** Slot per character: 0-9 -> 0-9, A-Z -> 10-35. */
const SLOTS = 36;
function slot(code: number): number {
  return code <= 57 ? code - 48 : code - 55;
}
function charOf(s: number): string {
  return String.fromCharCode(s < 10 ? s + 48 : s + 55);
}

interface LengthVote {
  reads: number;
  /** weights[position * SLOTS + slot] = summed confidence. */
  weights: Float64Array;
}

export interface VoteResult {
  plate: string;
  confidence: number;
}

export class PlateVote {
  private readonly byLength = new Map<number, LengthVote>();
  private readonly plates = new Map<string, number>();
  private readonly states = new Map<string, number>();
  private total = 0;
  private cached: VoteResult | undefined;

  /** Adds one read; the plate must be normalized (A-Z, 0-9). */
  add(
    plate: string,
    confidence: number,
    charConfidences?: readonly number[],
    state?: string,
    stateConfidence?: number,
  ): void {
    this.total++;
    let v = this.byLength.get(plate.length);
    if (!v) {
      v = { reads: 0, weights: new Float64Array(plate.length * SLOTS) };
      this.byLength.set(plate.length, v);
    }
    v.reads++;
    const perChar = charConfidences !== undefined && charConfidences.length === plate.length;
    for (let i = 0; i < plate.length; i++) {
      v.weights[i * SLOTS + slot(plate.charCodeAt(i))]! += perChar ? charConfidences[i]! : confidence;
    }
    this.plates.set(plate, (this.plates.get(plate) ?? 0) + confidence);
    if (state) this.states.set(state, (this.states.get(state) ?? 0) + (stateConfidence ?? confidence));
    // A read equal to the voted plate cannot change the winner, only the confidence.
    if (this.cached && plate !== this.cached.plate) this.cached = undefined;
    else if (this.cached) this.cached = { plate, confidence: this.confidenceOf(v) };
  }

  get reads(): number {
    return this.total;
  }

  private winner(): LengthVote | undefined {
    let best: LengthVote | undefined;
    for (const v of this.byLength.values()) if (!best || v.reads > best.reads) best = v;
    return best;
  }

  /** Mean per-position share of confidence of the winners, times the winning length's share of reads. */
  private confidenceOf(v: LengthVote): number {
    const len = v.weights.length / SLOTS;
    if (len === 0) return 0;
    let sum = 0;
    for (let i = 0; i < len; i++) {
      let w = 0;
      for (let s = 0; s < SLOTS; s++) w = Math.max(w, v.weights[i * SLOTS + s]!);
      sum += w / v.reads;
    }
    return Math.min(1, (sum / len) * (v.reads / this.total));
  }

  /** The voted plate and its confidence. */
  result(): VoteResult {
    if (this.cached) return this.cached;
    const best = this.winner();
    if (!best) return { plate: '', confidence: 0 };
    const len = best.weights.length / SLOTS;
    let plate = '';
    for (let i = 0; i < len; i++) {
      let top = 0;
      let w = -1;
      for (let s = 0; s < SLOTS; s++) {
        const x = best.weights[i * SLOTS + s]!;
        if (x > w) [top, w] = [s, x];
      }
      plate += charOf(top);
    }
    this.cached = { plate, confidence: this.confidenceOf(best) };
    return this.cached;
  }

  /** The voted state and its share of the state confidence, or undefined when no read had a state. */
  state(): { state: string; confidence: number } | undefined {
    let best: string | undefined;
    let w = 0;
    for (const [s, sw] of this.states) if (sw > w) [best, w] = [s, sw];
    return best ? { state: best, confidence: Math.min(1, w / this.total) } : undefined;
  }

  /** Distinct plates read, by summed confidence, best first. */
  candidates(max = 5): PlateAlternative[] {
    return [...this.plates]
      .sort((a, b) => b[1] - a[1])
      .slice(0, max)
      .map(([plate, w]) => ({ plate, confidence: Math.min(1, w / this.total) }));
  }
}
