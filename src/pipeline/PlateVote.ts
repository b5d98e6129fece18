/**
 * Character-level vote over the reads of one vehicle, weighted by confidence: the most common length
 * wins, then each position takes the character with the highest summed character confidence.
 * Incremental: add() is O(plate length) and allocates nothing once the plate's length has been seen,
 * so grouping keeps up with every read of every camera.
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

class LengthVote {
  reads = 0;
  /** weights[position * SLOTS + slot] = summed confidence. */
  readonly weights: Float64Array;
  /** Per position: the leading slot and its weight. */
  readonly top: Uint8Array;
  readonly topWeight: Float64Array;
  topSum = 0;
  /** The leading plate text, rebuilt only when a leader changes. */
  text = '';
  stale = true;

  constructor(readonly length: number) {
    this.weights = new Float64Array(length * SLOTS);
    this.top = new Uint8Array(length);
    this.topWeight = new Float64Array(length);
  }

  add(plate: string, confidence: number, charConfidences: readonly number[] | undefined): void {
    this.reads++;
    const perChar = charConfidences !== undefined && charConfidences.length === this.length;
    for (let i = 0; i < this.length; i++) {
      const s = slot(plate.charCodeAt(i));
      const at = i * SLOTS + s;
      const w = this.weights[at]! + (perChar ? charConfidences[i]! : confidence);
      this.weights[at] = w;
      if (w > this.topWeight[i]!) {
        this.topSum += w - this.topWeight[i]!;
        this.topWeight[i] = w;
        if (this.top[i] !== s) {
          this.top[i] = s;
          this.stale = true;
        }
      }
    }
  }

  plate(): string {
    if (this.stale) {
      let t = '';
      for (let i = 0; i < this.length; i++) t += charOf(this.top[i]!);
      this.text = t;
      this.stale = false;
    }
    return this.text;
  }
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
  private leader: LengthVote | undefined;

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
      v = new LengthVote(plate.length);
      this.byLength.set(plate.length, v);
    }
    v.add(plate, confidence, charConfidences);
    if (!this.leader || (v !== this.leader && v.reads > this.leader.reads)) this.leader = v;
    this.plates.set(plate, (this.plates.get(plate) ?? 0) + confidence);
    if (state) this.states.set(state, (this.states.get(state) ?? 0) + (stateConfidence ?? confidence));
  }

  get reads(): number {
    return this.total;
  }

  /** The voted plate ('' before any read). */
  get plate(): string {
    return this.leader ? this.leader.plate() : '';
  }

  /** Mean per-position share of confidence of the winners, times the winning length's share of reads. */
  get confidence(): number {
    const v = this.leader;
    if (!v || v.length === 0) return 0;
    return Math.min(1, (v.topSum / v.reads / v.length) * (v.reads / this.total));
  }

  result(): VoteResult {
    return { plate: this.plate, confidence: this.confidence };
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
