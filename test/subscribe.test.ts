import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { NatsServer } from '../src/nats/NatsServer.js';
import { packageRoot } from '../src/paths.js';

let server: NatsServer;
beforeAll(async () => {
  server = new NatsServer({ storeDir: mkdtempSync(path.join(tmpdir(), 'platewatch-sub-')) });
  await server.start();
});
afterAll(() => server.stop());

const hit = (category: string, plate: string) => ({
  schema: 'platewatch.hit.v1',
  id: plate,
  detectedAt: '2026-11-29T17:00:00.000Z',
  cameraId: 'cam1',
  category,
  categoryLabel: category,
  authorized: category !== 'sex_offender',
  plate,
  readConfidence: 0.9,
  state: 'CA',
  stateConfidence: 0.9,
  match: { rule: 'lookalike', edits: 1, state: 'different', flags: ['lookalike', 'wrong_state'] },
  entry: {
    plate,
    state: 'NV',
    category,
    source: 'S',
    recordId: 'R1',
    reason: 'why',
    enteredBy: null,
    cjisReference: null,
    createdAt: '2026-11-01T00:00:00.000Z',
    expiresAt: null,
  },
  phase: 'preview',
  group: {},
  evidence: {},
});

describe('platewatch subscribe', () => {
  it('prints hits of the authorized categories only (by default), with the flags to verify, and exits after --count', async () => {
    const child = spawn(
      process.execPath,
      [path.join(packageRoot, 'bin', 'platewatch.js'), 'subscribe', '--url', server.url, '--count', '1'],
      {
        cwd: packageRoot,
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const deadline = Date.now() + 15_000;
    while (!err.includes('watching') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const nc = await connect({ servers: server.url });
    nc.publish('platewatch.hits.sex_offender.cam1', JSON.stringify(hit('sex_offender', 'PROHIB1')));
    nc.publish('platewatch.hits.warrant.cam1', JSON.stringify(hit('warrant', 'WANTED1')));
    await nc.flush();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    await nc.close();
    expect(code).toBe(0);
    expect(out).toContain('WANTED1');
    expect(out).toContain('!! verify: lookalike, wrong_state');
    expect(out).not.toContain('PROHIB1');
  });
});
