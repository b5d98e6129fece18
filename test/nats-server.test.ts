import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';

import { NatsServer, NatsServerError } from '../src/nats/NatsServer.js';

const servers: NatsServer[] = [];
function server(over: Partial<ConstructorParameters<typeof NatsServer>[0]> = {}): NatsServer {
  const s = new NatsServer({ storeDir: mkdtempSync(path.join(tmpdir(), 'platewatch-natsd-')), ...over });
  servers.push(s);
  return s;
}
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

describe('NatsServer (local nats-server -js)', () => {
  it('starts on loopback with JetStream under the store folder, restarts on the same port, stop() twice is safe', async () => {
    const s = server();
    const url = await s.start();
    expect(url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(s.status.state).toBe('running');
    const conf = readFileSync(s.configFile, 'utf8');
    expect(conf).toContain('"store_dir"');
    const nc = await connect({ servers: url });
    expect(nc.info?.jetstream).toBe(true);
    await nc.close();
    await s.stop();
    expect(s.status.state).toBe('stopped');
    await s.stop();
    expect(await s.start()).toBe(url);
  });

  it('takes an authorization block and reloads new permissions in place', async () => {
    const s = server({
      config: { authorization: { users: [{ user: 'svc', password: 'svc-pass-123' }] } },
    });
    const url = await s.start();
    await expect(connect({ servers: url, reconnect: false })).rejects.toThrow();
    const nc = await connect({ servers: url, user: 'svc', pass: 'svc-pass-123' });
    await s.reconfigure({
      authorization: {
        users: [
          { user: 'svc', password: 'svc-pass-123' },
          { user: 'd1', password: 'd1-pass-123' },
        ],
      },
    });
    const d1 = await connect({ servers: url, user: 'd1', pass: 'd1-pass-123' });
    await d1.close();
    await nc.close();
  });

  it('a missing binary rejects with NatsServerError ERR_NATS_SERVER_START', async () => {
    const s = server({ binary: '/nonexistent/nats-server' });
    const err = await s.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatsServerError);
    expect((err as NatsServerError).code).toBe('ERR_NATS_SERVER_START');
  });
});

describe('NatsServer after a crash of its owner', () => {
  it('a nats-server orphaned on the same store is stopped before a new one starts on its port', async () => {
    const storeDir = mkdtempSync(path.join(tmpdir(), 'platewatch-natsd-orphan-'));
    const first = new NatsServer({ storeDir });
    const url = await first.start();
    const status = first.status;
    if (status.state !== 'running') throw new Error('not running');
    // The owner "dies": a second launcher on the same store and port, the first one never stopped.
    const second = new NatsServer({ storeDir, port: Number(new URL(url.replace('nats:', 'http:')).port) });
    servers.push(second);
    expect(await second.start()).toBe(url);
    expect(existsSync(`/proc/${status.pid}`) && !readFileSync(`/proc/${status.pid}/stat`, 'utf8').includes(' Z ')).toBe(
      false,
    );
  });
});
