/**
 * `platewatch run` assembled (RunService) with its real parts: LMDB under a temp dataDir, a local
 * nats-server it starts itself, /metrics over HTTP; reads are pushed as a camera would deliver them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { loadConfig } from '../src/config/load.js';
import { configDir, packageRoot } from '../src/paths.js';
import type { HitMessage } from '../src/pipeline/messages.js';
import { RunService } from '../src/run/RunService.js';
import { read } from './frameReads.js';

const tmp = (p: string) => mkdtempSync(path.join(tmpdir(), `platewatch-${p}-`));

describe('platewatch run', () => {
  it('loads the sample hot list, prints a hit, publishes it once on its subject, counts it in /metrics; stop() is clean and idempotent', async () => {
    const config = loadConfig(undefined, {
      dataDir: tmp('run'),
      nats: { localPort: 0 },
      metrics: { port: 0 },
      pipeline: { groupGapMs: 200 },
      governance: { api: { port: 0 } },
    });
    const lines: string[] = [];
    const hits: HitMessage[] = [];
    const service = new RunService(config, { cameras: false, log: (l) => lines.push(l), onHit: (h) => hits.push(h) });
    await service.start();
    try {
      const s = service.status;
      if (s.state !== 'running') throw new Error('not running');
      // The local nats-server enforces per-user permissions (issue 6): connect as the service.
      const nc = await connect({ servers: s.natsUrl, ...service.governance!.natsConnectOptions() });
      const got: string[] = [];
      nc.subscribe('platewatch.hits.>', { callback: (_e, m) => void got.push(m.subject) });
      await nc.flush();
      service.push([
        read('MZR1627', 0.95, { cameraId: 'cam1', state: 'NC' }),
        read('MZR1627', 0.9, { cameraId: 'cam1' }),
      ]);
      service.push([read('', 0, { cameraId: 'cam1' })]);
      const deadline = Date.now() + 10_000;
      while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 400)); // the group's final passes: still one hit
      expect(got).toEqual(['platewatch.hits.stolen_vehicle.cam1']);
      expect(hits[0]).toMatchObject({
        plate: 'MZR1627',
        category: 'stolen_vehicle',
        match: { rule: 'exact', state: 'same' },
      });
      expect(lines.some((l) => /^HIT .*Stolen Vehicle.*MZR1627\s+exact/.test(l))).toBe(true);
      const metrics = await (await fetch(s.metricsUrl!)).text();
      expect(metrics).toContain('platewatch_hits_total{category="stolen_vehicle",rule="exact",state="same"} 1');
      expect(metrics).toContain('platewatch_hotlist_entries{source="SAMPLE"} 9');
      expect(metrics).toContain('platewatch_reads_dropped_total{reason="unread"} 1');
      expect(metrics).toMatch(/platewatch_frame_to_hit_seconds_count\{category="stolen_vehicle"\} 1/);
      expect(metrics).toContain('platewatch_nats_connected 1');
      expect(metrics).not.toContain('MZR1627');
      await nc.close();
    } finally {
      await service.stop();
      await service.stop();
    }
    expect(service.status.state).toBe('stopped');
    expect(service.natsServer?.status.state).toBe('stopped');
  });

  it('a prohibited-category hit is printed redacted on the console', async () => {
    const config = loadConfig(undefined, {
      dataDir: tmp('run2'),
      nats: { localPort: 0 },
      metrics: { enabled: false },
      governance: { api: { port: 0 } },
    });
    const lines: string[] = [];
    const service = new RunService(config, { cameras: false, log: (l) => lines.push(l) });
    await service.start();
    try {
      service.push([read('SU02996', 0.95, { cameraId: 'cam9', state: 'CA' })]);
      const deadline = Date.now() + 5000;
      while (!lines.some((l) => l.startsWith('HIT')) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
    } finally {
      await service.stop();
    }
    const hit = lines.find((l) => l.startsWith('HIT'));
    expect(hit).toMatch(/Sex Offender: prohibited category/);
    expect(hit).not.toContain('SU02996');
  });

  it('`platewatch run --seconds 2 --no-cameras` starts, stops by itself and exits 0', async () => {
    const cfg = path.join(tmp('runcli'), 'cfg.yaml');
    writeFileSync(
      cfg,
      `dataDir: ${path.dirname(cfg)}/var\nnats:\n  localPort: 0\nmetrics:\n  port: 0\ngovernance:\n  api:\n    port: 0\n`,
    );
    const run = promisify(execFile);
    const { stdout } = await run(
      process.execPath,
      [path.join(packageRoot, 'bin', 'platewatch.js'), '--config', cfg, 'run', '--seconds', '2', '--no-cameras'],
      { cwd: packageRoot },
    );
    expect(stdout).toMatch(/nats: local nats-server -js on nats:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(/platewatch: stopped/);
  });

  it('the sample hot list lists plates that really appear in the sample footage', () => {
    const manifest = JSON.parse(readFileSync(path.join(packageRoot, 'samples', 'manifest.json'), 'utf8'));
    const footage = new Set<string>(
      manifest.files.flatMap((f: { vehicles: { plate: string }[] }) => f.vehicles.map((v) => v.plate)),
    );
    const defaults = parseYaml(readFileSync(path.join(configDir, 'default.yaml'), 'utf8'));
    const csv = readFileSync(path.join(packageRoot, defaults.hotlist.sample.file), 'utf8');
    const plates = csv
      .split('\n')
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('plate,'))
      .map((l) => l.split(',')[0]!);
    const inFootage = plates.filter((p) => footage.has(p));
    expect(inFootage.length).toBeGreaterThanOrEqual(5);
  });
});
