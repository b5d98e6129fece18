/**
 * Fault: `kill -9` of the whole service mid-stream. A child process runs the real RunService (the
 * `platewatch run` job: pipeline, durable outbox, governance, local nats-server) on a temp data dir and
 * commits, continuously: hits and plate groups (outbox), manual hot-list entries (hot list + governance
 * record + audit record) and audit records, printing each one once it is committed. Its nats-server is
 * frozen first (SIGSTOP) so committed messages pile up in the outbox, then the service is killed with
 * SIGKILL. A new service on the same data dir must find everything that was reported committed, intact:
 * the audit chain verifies, every hot-list entry answers lookups, and every outbox hit and plate group
 * reaches JetStream exactly once after the restart (plate groups on into the history).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { describe, expect, it } from 'vitest';

import { loadConfig } from '../src/config/load.js';
import { Governance } from '../src/governance/Governance.js';
import { packageRoot } from '../src/paths.js';
import { RunService } from '../src/run/RunService.js';
import { STREAMS } from '../src/subjects.js';
import { distinctPlates, sleep, streamMessages, until } from './faults-helpers.js';
import { read } from './frameReads.js';

const dist = (p: string) => pathToFileURL(path.join(packageRoot, 'dist', p)).href;

/** The service under test, in its own process; prints one line per committed record. */
const CHILD = `
const { loadConfig } = await import(${JSON.stringify(dist('src/config/load.js'))});
const { RunService } = await import(${JSON.stringify(dist('src/run/RunService.js'))});
const { overrides, plates, manualPlates } = JSON.parse(process.argv[2]);
const out = (line) => process.stdout.write(line + '\\n');
const service = new RunService(loadConfig(undefined, overrides), {
  cameras: false,
  log: () => {},
  onCommitted: (messages) => {
    for (const m of messages) out(m.kind + ' ' + m.msgId + ' ' + JSON.parse(m.payload).group.plate);
  },
});
await service.start();
const createdAt = Date.now();
await service.hotlist.replaceSource('FAULTS', plates.map((plate, i) =>
  ({ plate, state: 'CA', category: 'stolen_vehicle', source: 'FAULTS', recordId: 'F' + i, createdAt })));
const gov = service.governance.governance;
const supervisor = { username: 'sgt.kill', role: 'supervisor', agency: gov.ctx.config.agency };
out('ready ' + service.natsServer.status.pid);
let i = 0;
let m = 0;
for (;;) {
  const t = Date.now();
  const read = (cameraId) => ({ cameraId, plate: plates[i % plates.length], confidence: 0.95,
    charConfidences: [0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95], candidates: [{ plate: plates[i % plates.length], confidence: 0.95 }], state: 'CA',
    box: { x: 1, y: 1, width: 90, height: 30 }, capturedAt: t, pts: i, frameSeq: i });
  service.push([read('kcam1')]); i++;
  service.push([read('kcam2')]); i++;
  const rec = gov.auditLog.append({ actor: supervisor, action: 'history.search', what: 'q' + i, outcome: 'allowed' });
  out('audit ' + rec.seq + ' ' + rec.hash);
  if (i % 6 === 0 && m < manualPlates.length) {
    const plate = manualPlates[m++];
    const e = await gov.manualEntries.add(supervisor, { plate, state: 'TX', category: 'warrant',
      reason: 'bolo', details: 'kill test', cjisReference: 'NCIC-' + m, expiresAt: Date.now() + 86400000 });
    out('entry ' + e.id + ' ' + plate);
  }
  await new Promise((r) => setTimeout(r, 40));
}
`;

interface Committed {
  hit: Map<string, string>;
  read: Map<string, string>;
  audit: Map<number, string>;
  entry: Map<string, string>;
}

describe('fault: kill -9 of the service', () => {
  it('kill -9 of `platewatch run` mid-stream: no committed audit record, hot-list entry, plate group or outbox hit lost; the chain verifies; the outbox is delivered after restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'platewatch-faults-kill-'));
    const overrides = {
      dataDir,
      nats: { localPort: 0, retryMs: 100, publishTimeoutMs: 1000 },
      metrics: { enabled: false },
      pipeline: { groupGapMs: 100 },
      governance: { api: { port: 0 } },
    };
    const config = loadConfig(undefined, overrides);
    // The supervisor who enters manual entries (cheap scrypt: this test is not about passwords).
    const setup = Governance.open(config, { scryptCost: 1 << 10 });
    await setup.users.bootstrapAdministrator({
      username: 'lt.kill',
      displayName: 'Lt',
      password: 'correct horse battery staple',
      trainingDate: '2026-01-15',
    });
    await setup.users.designate(
      { username: 'lt.kill', role: 'administrator', agency: config.governance.agency },
      {
        username: 'sgt.kill',
        displayName: 'Sgt',
        role: 'supervisor',
        trainingDate: '2026-02-01',
        password: 'correct horse battery staple',
        supervisor: null,
      },
    );
    await setup.close();

    const all = distinctPlates(160, 11);
    const plates = all.slice(0, 100);
    const manualPlates = all.slice(100);
    const script = path.join(dataDir, 'service.mjs');
    writeFileSync(script, CHILD);
    const committed: Committed = { hit: new Map(), read: new Map(), audit: new Map(), entry: new Map() };
    let natsPid = 0;
    let child: ChildProcess | undefined;
    let service: RunService | undefined;
    try {
      child = spawn(process.execPath, [script, JSON.stringify({ overrides, plates, manualPlates })], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let buf = '';
      // Set when enough is committed: the kill then lands right after the service reports a commit,
      // where a commit reported too early (before LMDB has it) would be lost.
      let killOnNextCommit = false;
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const line of lines) {
          const [kind, id, value] = line.split(' ') as [keyof Committed | 'ready', string, string];
          if (kind === 'ready') natsPid = Number(id);
          else if (kind === 'audit') committed.audit.set(Number(id), value);
          else committed[kind].set(id, value);
          if (killOnNextCommit && (kind === 'hit' || kind === 'read' || kind === 'entry')) {
            killOnNextCommit = false;
            child!.kill('SIGKILL');
          }
        }
      });
      const exited = new Promise((r) => child!.once('exit', r));
      expect(await until(() => committed.hit.size >= 20 && committed.read.size >= 10, 30_000)).toBe(true);
      // NATS hangs: what is committed from now on can only be in the outbox when the service dies.
      process.kill(natsPid, 'SIGSTOP');
      const hitsAtFreeze = committed.hit.size;
      expect(await until(() => committed.hit.size >= hitsAtFreeze + 20 && committed.entry.size >= 5, 30_000)).toBe(
        true,
      );
      killOnNextCommit = true;
      await exited;
      expect(child.signalCode).toBe('SIGKILL');

      // Restart on the same data dir: the orphaned (frozen) nats-server is replaced, the outbox drains.
      const lines: string[] = [];
      service = new RunService(config, { cameras: false, log: (l) => lines.push(l) });
      await service.start();
      expect(lines.some((l) => /outbox: \d+ message\(s\) from the last run wait for NATS/.test(l))).toBe(true);
      expect(await until(() => service!.outbox!.depth === 0, 20_000)).toBe(true);
      const s = service.status;
      if (s.state !== 'running') throw new Error('not running');
      const auth = service.governance!.natsConnectOptions();

      const hits = (await streamMessages(s.natsUrl, STREAMS.hits.name, auth)).map((m) => String(m.data.id));
      const groups = (await streamMessages(s.natsUrl, STREAMS.reads.name, auth)).map(
        (m) => `read-${(m.data.group as { id: string }).id}`,
      );
      const count = (ids: string[]) =>
        ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());
      const hitCount = count(hits);
      const groupCount = count(groups);
      expect(
        [...committed.hit.keys()].filter((id) => hitCount.get(id) !== 1),
        'hits not stored exactly once',
      ).toEqual([]);
      expect(
        [...committed.read.keys()].filter((id) => groupCount.get(id) !== 1),
        'plate groups not stored exactly once',
      ).toEqual([]);
      // The history (governance) ingests every delivered plate group.
      const gov = service.governance!.governance;
      expect(await until(() => gov.history.size >= committed.read.size, 10_000)).toBe(true);

      // Audit: every reported record is there with the same hash, and the chain verifies.
      expect(gov.auditLog.verify().ok).toBe(true);
      const records = new Map(gov.auditLog.query({ limit: 1_000_000 }).map((r) => [r.seq, r.hash]));
      const lostAudit = [...committed.audit].filter(([seq, hash]) => records.get(seq) !== hash);
      expect(committed.audit.size).toBeGreaterThan(10);
      expect(lostAudit, 'audit records lost or changed').toEqual([]);

      // Hot list: the imported list and every committed manual entry answer lookups.
      expect(service.hotlist!.source('FAULTS')?.count).toBe(plates.length);
      for (const plate of plates.slice(0, 10)) expect(service.hotlist!.lookup(plate, 'CA')[0]?.entry.plate).toBe(plate);
      for (const [id, plate] of committed.entry) {
        const match = service.hotlist!.lookup(plate, 'TX').find((h) => h.entry.source === 'manual');
        expect(match?.entry.recordId, `manual entry ${plate}`).toBe(id);
      }

      // Still a working service: a new hit goes all the way.
      const before = hits.length;
      service.push([read(plates[0]!, 0.95, { cameraId: 'kcam3', state: 'CA' })]);
      expect(
        await until(
          async () => (await streamMessages(s.natsUrl, STREAMS.hits.name, auth)).length === before + 1,
          10_000,
          200,
        ),
      ).toBe(true);
      expect(gov.auditLog.verify().ok).toBe(true);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await service?.stop(0);
      if (natsPid && existsSync(`/proc/${natsPid}`)) {
        try {
          process.kill(natsPid, 'SIGKILL');
        } catch {}
      }
      await sleep(50);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
