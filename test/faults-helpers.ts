/** Shared by the fault tests (test/faults-*.test.ts): synthetic traffic, JetStream read-back, /metrics. */
import { jetstreamManager } from '@nats-io/jetstream';
import { type ConnectionOptions, connect } from '@nats-io/transport-node';
import { rng as prng } from '../bench/lib/plates.js';
import type { HotlistEntry } from '../src/hotlist/HotlistEntry.js';
import { plateSkeleton } from '../src/hotlist/normalize.js';

function distance(a: string, b: string): number {
  let d = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) d++;
  return d;
}

/**
 * `n` seven-character plates, each at least 3 look-alike-folded characters away from every other: no
 * two vehicles merge into one plate group and no read matches another plate's hot-list entry.
 */
export function distinctPlates(n: number, seed = 7): string[] {
  const rnd = prng(seed);
  const alphabet = 'ACEFHJKLMNPRTUVWXY3479';
  const out: string[] = [];
  const skeletons: string[] = [];
  while (out.length < n) {
    let p = '';
    for (let i = 0; i < 7; i++) p += alphabet[Math.floor(rnd() * alphabet.length)];
    const sk = plateSkeleton(p);
    if (skeletons.some((s) => distance(s, sk) < 3)) continue;
    out.push(p);
    skeletons.push(sk);
  }
  return out;
}

/** Hot-list entries (category stolen_vehicle, state CA) for `plates`. */
export function entries(plates: string[], source = 'FAULTS'): HotlistEntry[] {
  const createdAt = Date.now();
  return plates.map((plate, i) => ({
    plate,
    state: 'CA',
    category: 'stolen_vehicle',
    source,
    recordId: `${source}-${i}`,
    createdAt,
  }));
}

export interface StoredMessage {
  seq: number;
  subject: string;
  data: Record<string, unknown>;
}

/** Every message of a JetStream stream, in stream order (retries while the server is coming back). */
export async function streamMessages(
  url: string,
  stream: string,
  connectOptions: Partial<ConnectionOptions> = {},
  timeoutMs = 10_000,
): Promise<StoredMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const nc = await connect({ servers: url, ...connectOptions });
      try {
        const jsm = await jetstreamManager(nc);
        const info = await jsm.streams.info(stream);
        const out: StoredMessage[] = [];
        for (let seq = info.state.first_seq; seq <= info.state.last_seq && seq > 0; seq++) {
          const m = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
          if (m) out.push({ seq: m.seq, subject: m.subject, data: m.json() });
        }
        return out;
      } finally {
        await nc.close();
      }
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(200);
    }
  }
}

/** The value of an unlabelled metric (or of the first sample matching `labels`) in /metrics text. */
export function metricValue(text: string, name: string, labels = ''): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const [key, value] = line.split(' ');
    if (key === name + (labels ? `{${labels}}` : '')) return Number(value);
  }
  return undefined;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or `timeoutMs` passes; returns its last result. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(stepMs);
  }
}
