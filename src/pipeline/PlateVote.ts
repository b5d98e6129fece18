/**
 * Character-level vote over the reads of one vehicle, weighted by confidence: the most common length
 * wins, then each position takes the character with the highest summed character confidence.
 * Incremental (add() is O(plate length)), so grouping keeps up with the reads.
 */
import type { PlateAlternative } from '../native.js';

interface LengthVote {
  reads: number;
  /** Per position: character -> summed confidence. */
  positions: Map<string, number>[];
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

  add(
    plate: string,
    confidence: number,
    charConfidences?: readonly number[],
    state?: string,
    stateConfidence?: number,
  ): void {
    this.cached = undefined;
    this.total++;
    let v = this.byLength.get(plate.length);
    if (!v) {
      v = { reads: 0, positions: Array.from({ length: plate.length }, () => new Map()) };
      this.byLength.set(plate.length, v);
    }
    v.reads++;
    const perChar = charConfidences && charConfidences.length === plate.length;
    for (let i = 0; i < plate.length; i++) {
      const ch = plate[i]!;
      const w = perChar ? charConfidences[i]! : confidence;
      const pos = v.positions[i]!;
      pos.set(ch, (pos.get(ch) ?? 0) + w);
    }
    this.plates.set(plate, (this.plates.get(plate) ?? 0) + confidence);
    if (state) this.states.set(state, (this.states.get(state) ?? 0) + (stateConfidence ?? confidence));
  }

  get reads(): number {
    return this.total;
  }

  /** The voted plate; its confidence is the mean per-position share of confidence, times the length's share. */
  result(): VoteResult {
    if (this.cached) return this.cached;
    let best: LengthVote | undefined;
    for (const v of this.byLength.values()) if (!best || v.reads > best.reads) best = v;
    if (!best) return { plate: '', confidence: 0 };
    let plate = '';
    let sum = 0;
    for (const pos of best.positions) {
      let ch = '';
      let w = -1;
      for (const [c, cw] of pos) if (cw > w) [ch, w] = [c, cw];
      plate += ch;
      sum += w / best.reads;
    }
    const confidence = best.positions.length ? (sum / best.positions.length) * (best.reads / this.total) : 0;
    this.cached = { plate, confidence: Math.min(1, confidence) };
    return this.cached;
  }

  /** The voted state and its share of the state confidence, or undefined when no read had a state. */
  state(): { state: string; confidence: number } | undefined {
    let best: string | undefined;
    let w = 0;
    for (const [s, sw] of this.states) {
      if (sw > w) [best, w] = [s, sw];
    }
    return best ? { state: best, confidence: w / this.total } : undefined;
  }

  /** Distinct plates read, by summed confidence, best first. */
  candidates(max = 5): PlateAlternative[] {
    return [...this.plates]
      .sort((a, b) => b[1] - a[1])
      .slice(0, max)
      .map(([plate, w]) => ({ plate, confidence: Math.min(1, w / this.total) }));
  }
}
