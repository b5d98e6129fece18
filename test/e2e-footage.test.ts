/**
 * End to end with the real addon: the sample footage (rendered by tools/footage) played as a camera by
 * the native capture + recognizer, through the pipeline, the LMDB outbox and a real nats-server.
 * It needs the recognizer's OCR model (models/plate_ocr.json, issue 3); until that exists the reads
 * have no characters and this test is skipped (reported as skipped, not passed).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';

import { loadConfig } from '../src/config/load.js';
import { modelDir, packageRoot } from '../src/paths.js';
import type { HitMessage } from '../src/pipeline/messages.js';
import { RunService } from '../src/run/RunService.js';

const hasOcr = existsSync(path.join(modelDir, 'plate_ocr.json'));

describe('end to end on rendered footage (real addon, real nats-server, real LMDB)', () => {
  it.skipIf(!hasOcr)(
    'plates on the hot list driven past the camera give one hit per vehicle, on their category subject',
    async () => {
      const manifest = JSON.parse(readFileSync(path.join(packageRoot, 'samples', 'manifest.json'), 'utf8'));
      const city = manifest.files.find((f: { file: string }) => f.file === 'city-720p.mp4');
      const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-e2e-'));
      // Every vehicle of the clip is listed (as a stolen vehicle, with its real state).
      const csv = path.join(dir, 'list.csv');
      writeFileSync(
        csv,
        `plate,state,category,record_id,reason,entered_at,expires_at\n${city.vehicles
          .map((v: { plate: string; state: string }, i: number) => `${v.plate},${v.state},STOLEN,E2E-${i},e2e,,`)
          .join('\n')}\n`,
      );
      const config = loadConfig(undefined, {
        dataDir: path.join(dir, 'var'),
        nats: { localPort: 0 },
        metrics: { enabled: false },
        governance: { api: { port: 0 } },
        hotlist: { sample: { file: csv, source: 'E2E', mapping: 'config/hotlist/csv.mapping.yaml' } },
        cameras: [{ id: 'e2e', uri: 'samples/city-720p.mp4', loop: false, realtime: true }],
        pipeline: { groupGapMs: 1500 },
      });
      const hits: HitMessage[] = [];
      const service = new RunService(config, { log: () => {}, onHit: (h) => hits.push(h) });
      await service.start();
      const s = service.status;
      if (s.state !== 'running') throw new Error('not running');
      const connectOptions =
        (service as { governance?: { natsConnectOptions(): object } }).governance?.natsConnectOptions() ?? {};
      const nc = await connect({ servers: s.natsUrl, ...connectOptions });
      const subjects: string[] = [];
      nc.subscribe('platewatch.hits.>', { callback: (_e, m) => void subjects.push(m.subject) });
      try {
        await service.cameras[0]!.waitFor(['eos', 'failed', 'stopped'], 120_000);
        await new Promise((r) => setTimeout(r, 2500)); // last vehicle's gap, then the relay
      } finally {
        await nc.flush().catch(() => {});
        await nc.close();
        await service.stop();
      }
      expect(hits.length).toBeGreaterThan(0);
      const perPlate = new Map<string, number>();
      for (const h of hits) perPlate.set(h.entry.plate, (perPlate.get(h.entry.plate) ?? 0) + 1);
      for (const [plate, n] of perPlate) expect(n, `hits for ${plate}`).toBe(1);
      expect(subjects.length).toBe(hits.length);
      for (const subject of subjects) expect(subject).toBe('platewatch.hits.stolen_vehicle.e2e');
    },
    180_000,
  );
});
