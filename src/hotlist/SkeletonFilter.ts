/**
 * A Bloom filter over the look-alike skeletons of one source's list, stored in LMDB next to the list:
 * most reads are of plates on no list, and this answers "not listed" in well under a microsecond without
 * touching the B-tree. A "maybe" (listed, or a ~1% false positive) falls through to the exact range read.
 */
const MAGIC = 0x46425750; // 'PWBF': classic (k bits anywhere in the array); still read
const MAGIC_BLOCKED = 0x32425750; // 'PWB2': blocked (k bits in one 512-bit block: one cache miss)
const BLOCK_BITS = 512;

/** Two independent 32-bit hashes of a string (FNV-1a and a djb2 variant). */
export function skeletonHashes(s: string): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 5381;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = (Math.imul(h2, 33) ^ c) | 0;
  }
  return [h1 >>> 0, (h2 >>> 0) | 1];
}

/**
 * Filters made now are blocked: all k bits of a skeleton in one 64-byte block chosen by the first hash,
 * so adding or testing a skeleton touches one cache line instead of k (at 10 M entries the array is
 * 13 MB, and k scattered misses per entry were seconds of an import and a tail of absent-plate
 * lookups). 10% more bits keep the false-positive rate near the classic filter's.
 */
export class SkeletonFilter {
  private readonly blocks: number;

  private constructor(
    readonly bits: Uint8Array,
    readonly k: number,
    readonly m: number,
    readonly blocked: boolean,
  ) {
    this.blocks = m / BLOCK_BITS;
  }

  /** An empty (blocked) filter sized for `count` skeletons at about `fpr` false positives. */
  static forCount(count: number, fpr = 0.01): SkeletonFilter {
    const n = Math.max(1, count);
    const classic = Math.ceil((-n * Math.log(fpr)) / (Math.LN2 * Math.LN2));
    const k = Math.max(1, Math.min(12, Math.round((classic / n) * Math.LN2)));
    const m = Math.max(2, Math.ceil((classic * 1.1) / BLOCK_BITS)) * BLOCK_BITS;
    return new SkeletonFilter(new Uint8Array(m / 8), k, m, true);
  }

  /** Parses a stored filter; undefined when the bytes are not one. */
  static fromBuffer(buf: Uint8Array): SkeletonFilter | undefined {
    if (buf.length < 12) return undefined;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const magic = view.getUint32(0, true);
    if (magic !== MAGIC && magic !== MAGIC_BLOCKED) return undefined;
    const blocked = magic === MAGIC_BLOCKED;
    const k = view.getUint32(4, true);
    const m = view.getUint32(8, true);
    if (buf.length !== 12 + Math.ceil(m / 8) || m === 0 || k === 0) return undefined;
    if (blocked && (m % BLOCK_BITS !== 0 || k > 32)) return undefined;
    return new SkeletonFilter(buf.slice(12), k, m, blocked);
  }

  toBuffer(): Buffer {
    const out = Buffer.alloc(12 + this.bits.length);
    out.writeUInt32LE(this.blocked ? MAGIC_BLOCKED : MAGIC, 0);
    out.writeUInt32LE(this.k, 4);
    out.writeUInt32LE(this.m, 8);
    out.set(this.bits, 12);
    return out;
  }

  addHashes(h1: number, h2: number): void {
    if (this.blocked) {
      const base = (h1 % this.blocks) * BLOCK_BITS;
      const step = (Math.imul(h1, 0x9e3779b1) >>> 23) | 1; // odd: k distinct bits of the block
      for (let i = 0; i < this.k; i++) {
        const b = base + ((h2 + Math.imul(i, step)) & (BLOCK_BITS - 1));
        this.bits[b >>> 3]! |= 1 << (b & 7);
      }
      return;
    }
    for (let i = 0; i < this.k; i++) {
      const bit = (h1 + Math.imul(i, h2)) >>> 0;
      const b = bit % this.m;
      this.bits[b >>> 3]! |= 1 << (b & 7);
    }
  }

  /** Adds the skeleton held as ASCII bytes [start, end) of `buf` (same hashes as the string). */
  addBytes(buf: Uint8Array, start: number, end: number): void {
    let h1 = 0x811c9dc5;
    let h2 = 5381;
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = (Math.imul(h2, 33) ^ c) | 0;
    }
    this.addHashes(h1 >>> 0, (h2 >>> 0) | 1);
  }

  add(skeleton: string): void {
    const [h1, h2] = skeletonHashes(skeleton);
    this.addHashes(h1, h2);
  }

  mayContain(skeleton: string): boolean {
    const [h1, h2] = skeletonHashes(skeleton);
    if (this.blocked) {
      const base = (h1 % this.blocks) * BLOCK_BITS;
      const step = (Math.imul(h1, 0x9e3779b1) >>> 23) | 1;
      for (let i = 0; i < this.k; i++) {
        const b = base + ((h2 + Math.imul(i, step)) & (BLOCK_BITS - 1));
        if ((this.bits[b >>> 3]! & (1 << (b & 7))) === 0) return false;
      }
      return true;
    }
    for (let i = 0; i < this.k; i++) {
      const b = ((h1 + Math.imul(i, h2)) >>> 0) % this.m;
      if ((this.bits[b >>> 3]! & (1 << (b & 7))) === 0) return false;
    }
    return true;
  }
}
