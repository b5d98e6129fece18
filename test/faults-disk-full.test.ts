/**
 * Fault: the disk fills up. The run service keeps its LMDB stores (outbox, hot list, governance and
 * audit) on a small tmpfs; NATS is down, so committed hits wait in the outbox, and the disk is then
 * filled to the last byte. A hit that cannot be stored must give a clear error naming the outbox and
 * what is full, count on `platewatch_storage_errors_total` (an alert in config/prometheus/alerts.yml),
 * be held rather than dropped, and commit once space is freed; nothing committed before is lost or
 * corrupted, the service keeps running, and every hit reaches JetStream exactly once in the end.
 * Needs root (mount -t tmpfs); skipped otherwise.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadConfig } from '../src/config/load.js';
import { NatsServer } from '../src/nats/NatsServer.js';
import type { HitMessage } from '../src/pipeline/messages.js';
import { RunService } from '../src/run/RunService.js';
import { STREAMS } from '../src/subjects.js';
import { distinctPlates, entries, metricValue, sleep, streamMessages, until } from './faults-helpers.js';
import { read } from './frameReads.js';

/** Writes zeros until the file system says ENOSPC; returns the bytes written. */
function fill(file: string): number {
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    for (const size of [1 << 18, 1 << 12, 512]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          written += writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

/** A fresh 24 MB tmpfs; skips the test when it cannot be mounted (not root, or no permission here). */
function tmpfs(ctx: { skip: () => void }): string {
  const root = mkdtempSync(path.join(tmpdir(), 'platewatch-faults-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', root], { stdio: 'ignore' });
  } catch {
    rmSync(root, { recursive: true, force: true });
    ctx.skip();
  }
  return root;
}

function unmount(root: string): void {
  try {
    execFileSync('umount', ['-l', root], { stdio: 'ignore' });
  } catch {}
  rmSync(root, { recursive: true, force: true });
}

describe('fault: disk full', () => {
  it('a full disk gives ERR_OUTBOX_FULL naming the outbox, counts platewatch_storage_errors_total, holds the hit and stores it once space is freed; nothing committed is lost', async (ctx) => {
    const root = tmpfs(ctx);
    const server = new NatsServer({ storeDir: mkdtempSync(path.join(tmpdir(), 'platewatch-faults-disk-nats-')) });
    let service: RunService | undefined;
    try {
      const url = await server.start();
      const config = loadConfig(undefined, {
        dataDir: path.join(root, 'var'),
        nats: { url, retryMs: 100, publishTimeoutMs: 1000 },
        metrics: { port: 0 },
        pipeline: { groupGapMs: 100 },
        governance: { api: { port: 0 } },
      });
      const committed: HitMessage[] = [];
      const lines: string[] = [];
      service = new RunService(config, { cameras: false, log: (l) => lines.push(l), onHit: (h) => committed.push(h) });
      await service.start();
      const s = service.status;
      if (s.state !== 'running') throw new Error('not running');
      const plates = distinctPlates(80, 3);
      await service.hotlist!.replaceSource('FAULTS', entries(plates));
      let next = 0;
      const vehicle = () => service!.push([read(plates[next++]!, 0.95, { cameraId: 'dcam1', state: 'CA' })]);
      const gov = service.governance!.governance;
      const actor = { username: 'disk', role: 'auditor' as const, agency: config.governance.agency };
      const audit = (what: string) => gov.auditLog.append({ actor, action: 'audit.verify', what, outcome: 'allowed' });

      // Committed while everything is fine, then with NATS down (they wait in the outbox).
      for (let i = 0; i < 4; i++) vehicle();
      expect(await until(() => committed.length === 4 && service!.outbox!.depth === 0, 10_000)).toBe(true);
      const auditBefore = [audit('before-1'), audit('before-2')];
      await server.stop();
      for (let i = 0; i < 4; i++) vehicle();
      expect(await until(() => committed.length === 8, 10_000)).toBe(true);
      const waiting = service.outbox!.depth;
      expect(waiting).toBeGreaterThanOrEqual(4);

      // The disk fills up: hits arriving now cannot be stored.
      const filler = path.join(root, 'filler');
      mkdirSync(path.dirname(filler), { recursive: true });
      expect(fill(filler)).toBeGreaterThan(0);
      const errors = async () =>
        metricValue(
          await (await fetch(s.metricsUrl!)).text(),
          'platewatch_storage_errors_total',
          'store="outbox",reason="full"',
        ) ?? 0;
      // Until hits are held (LMDB may first reuse pages freed by delivered messages).
      for (let i = 0; i < 60; i++) {
        vehicle();
        await sleep(100);
        if ((await errors()) > 0 && next - committed.length >= 2) break;
      }
      expect(await errors(), 'platewatch_storage_errors_total{store="outbox",reason="full"}').toBeGreaterThan(0);
      const error = lines.find((l) => /^outbox: /.test(l) && /full/.test(l));
      expect(error).toMatch(new RegExp(`outbox ${service.outbox!.path}: disk or LMDB map full: cannot store`));
      // ENOSPC, or EIO when the disk filled up in the middle of a page (LMDB's short write): both say the space left.
      expect(error).toMatch(/\d+ bytes free on its file system/);
      const stuck = next - committed.length;
      expect(stuck, 'hits held while the disk is full').toBeGreaterThan(0);
      expect(service.status.state).toBe('running');
      // The audit log on the same full disk: an append may fail (LMDB refuses the commit) but never corrupts.
      let auditError: unknown;
      try {
        for (let i = 0; i < 50; i++) audit(`full-${i}-${'x'.repeat(2000)}`);
      } catch (err) {
        auditError = err;
      }
      expect(auditError, 'an audit append on a full disk fails').toBeInstanceOf(Error);
      expect(gov.auditLog.verify().ok).toBe(true);

      // Space is freed and NATS comes back: the held hits commit, everything is delivered once.
      rmSync(filler);
      await server.start();
      expect(await until(() => committed.length === next, 15_000), lines.slice(-5).join('\n')).toBe(true);
      expect(lines.some((l) => /outbox: writable again/.test(l))).toBe(true);
      expect(await until(() => service!.outbox!.depth === 0, 15_000)).toBe(true);
      const stored = (await streamMessages(url, STREAMS.hits.name)).map((m) => String(m.data.id));
      expect(stored.sort()).toEqual(committed.map((h) => h.id).sort());
      expect(new Set(committed.map((h) => h.plate)).size).toBe(next);
      const records = gov.auditLog.query({ limit: 1_000_000 });
      for (const r of auditBefore) expect(records.find((x) => x.seq === r.seq)?.hash).toBe(r.hash);
      audit('after');
      expect(gov.auditLog.verify().ok).toBe(true);
      expect(service.hotlist!.lookup(plates[0]!, 'CA')[0]?.entry.recordId).toBe('FAULTS-0');
    } finally {
      await service?.stop(0);
      await server.stop();
      unmount(root);
    }
  }, 60_000);

  it('on a full disk the hot list, audit and governance stores fail with ERR_HOTLIST_FULL, ERR_AUDIT_FULL and ERR_GOVERNANCE_FULL naming the store, each counted in platewatch_storage_errors_total; all write again once space is freed', async (ctx) => {
    const root = tmpfs(ctx);
    const server = new NatsServer({ storeDir: mkdtempSync(path.join(tmpdir(), 'platewatch-faults-disk-nats-')) });
    let service: RunService | undefined;
    try {
      const url = await server.start();
      const config = loadConfig(undefined, {
        dataDir: path.join(root, 'var'),
        nats: { url, retryMs: 100, publishTimeoutMs: 1000 },
        metrics: { port: 0 },
        governance: { api: { port: 0 } },
      });
      const lines: string[] = [];
      service = new RunService(config, { cameras: false, log: (l) => lines.push(l) });
      await service.start();
      const s = service.status;
      if (s.state !== 'running') throw new Error('not running');
      const hotlist = service.hotlist!;
      const gov = service.governance!.governance;
      const actor = { username: 'disk', role: 'auditor' as const, agency: config.governance.agency };
      const big = 'x'.repeat(3000);
      const plates = distinctPlates(300, 5);
      const list = (n: number) => entries(plates.slice(0, n)).map((e) => ({ ...e, reason: big }));
      await hotlist.replaceSource('FAULTS', list(10));
      const kept = gov.auditLog.append({ actor, action: 'audit.verify', what: 'before', outcome: 'allowed' });
      const read = (i: number) => ({
        id: `disk-${i}`,
        cameraId: 'dcam3',
        plate: plates[i % plates.length]!,
        state: 'CA',
        confidence: 0.9,
        firstSeen: 1_000 + i,
        lastSeen: 2_000 + i,
      });
      const errors = async (store: string) =>
        metricValue(
          await (await fetch(s.metricsUrl!)).text(),
          'platewatch_storage_errors_total',
          `store="${store}",reason="full"`,
        ) ?? 0;
      /** The error `write` throws or rejects with once the disk is full (writes may first reuse LMDB's free pages). */
      const failure = async (write: (i: number) => unknown): Promise<unknown> => {
        for (let i = 0; i < 200; i++) {
          try {
            await write(i);
          } catch (err) {
            return err;
          }
        }
        return undefined;
      };

      fill(path.join(root, 'filler'));
      const h = await failure(() => hotlist.replaceSource('FAULTS', list(300)));
      expect(h).toMatchObject({ name: 'HotlistError', code: 'ERR_HOTLIST_FULL' });
      expect((h as Error).message).toMatch(`hot list ${path.join(root, 'var', 'hotlist')}: disk or LMDB map full`);
      const a = await failure((i) =>
        gov.auditLog.append({ actor, action: 'audit.verify', what: `full-${i}-${big}`, outcome: 'allowed' }),
      );
      expect(a).toMatchObject({ name: 'StorageError', code: 'ERR_AUDIT_FULL', store: 'audit', reason: 'full' });
      expect((a as Error).message).toMatch(/^audit store .*governance\.mdb: disk or LMDB map full: cannot/);
      const g = await failure((i) => gov.history.ingest([{ ...read(i), cameraId: `dcam3-${big}` }]));
      expect(g).toMatchObject({ name: 'StorageError', code: 'ERR_GOVERNANCE_FULL', store: 'governance' });
      expect((g as Error).message).toMatch(/^governance store .*governance\.mdb: disk or LMDB map full: cannot/);
      for (const store of ['hotlist', 'audit', 'governance'])
        expect(await errors(store), `platewatch_storage_errors_total{store="${store}",reason="full"}`).toBeGreaterThan(
          0,
        );
      expect(lines.some((l) => /^audit: audit store /.test(l))).toBe(true);
      // A caller's own error inside a governance transaction is not a storage error.
      expect(() => gov.history.ingest([{ ...read(0), id: undefined as unknown as string }])).not.toThrow(/store/);
      expect(service.status.state).toBe('running');
      // The old list still answers; the audit chain is intact.
      expect(hotlist.lookup(plates[0]!, 'CA')[0]?.entry.source).toBe('FAULTS');
      expect(gov.auditLog.verify().ok).toBe(true);

      rmSync(path.join(root, 'filler'));
      const sum = await hotlist.replaceSource('FAULTS', list(20));
      expect(sum.total).toBe(20);
      expect(hotlist.lookup(plates[15]!, 'CA')).toHaveLength(1);
      const after = gov.auditLog.append({ actor, action: 'audit.verify', what: 'after', outcome: 'allowed' });
      expect(after.seq).toBeGreaterThan(kept.seq);
      expect(gov.history.ingest([read(1000)])).toBe(1);
      expect(gov.auditLog.verify().ok).toBe(true);
    } finally {
      await service?.stop(0);
      await server.stop();
      unmount(root);
    }
  }, 60_000);

  it('stop() on a full disk returns (the outbox does not wait for the commit that failed) and reports the hit it gives up', async (ctx) => {
    const root = tmpfs(ctx);
    const lines: string[] = [];
    const config = loadConfig(undefined, {
      dataDir: path.join(root, 'var'),
      nats: { localPort: 0 },
      metrics: { enabled: false },
      pipeline: { groupGapMs: 100 },
    });
    const service = new RunService(config, { cameras: false, governance: false, log: (l) => lines.push(l) });
    try {
      await service.start();
      fill(path.join(root, 'filler'));
      service.push([read('MZR1627', 0.95, { cameraId: 'dcam2', state: 'NC' })]); // on the sample hot list
      expect(await until(() => lines.some((l) => /outbox: .*disk or LMDB map full/.test(l)), 10_000)).toBe(true);
      const t0 = Date.now();
      await service.stop(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(service.status.state).toBe('stopped');
      expect(lines.some((l) => /HIT .*MZR1627.*NOT STORED, NOT ON NATS \(outbox full\)/.test(l))).toBe(true);
    } finally {
      await service.stop(0);
      unmount(root);
    }
  }, 30_000);
});
