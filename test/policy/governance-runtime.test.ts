/**
 * The policy layer running as part of the service: the local nats-server (src/nats/NatsServer.ts)
 * takes the authorization generated from profiles, the service authenticates with its own NKey, a
 * user sets a profile and gets NATS credentials over real HTTP, an administrator's exception reloads
 * the server's permissions in place, and hits published by the service reach the review API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, nkeyAuthenticator } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config/load.js';
import { Governance } from '../../src/governance/Governance.js';
import { GovernanceRuntime, serviceAuthenticator } from '../../src/governance/GovernanceRuntime.js';
import { NatsServer } from '../../src/nats/NatsServer.js';
import { ensureStreams } from '../../src/nats/streams.js';
import { hitSubject } from '../../src/subjects.js';
import { PASSWORD } from './helpers.js';

let dir: string;
let natsServer: NatsServer;
let runtime: GovernanceRuntime;
let service: NatsConnection;
const conns: NatsConnection[] = [];

async function http(method: string, url: string, token?: string, body?: unknown) {
  const res = await fetch(`${runtime.apiUrl}${url}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return {
    status: res.status,
    json: (await res.json()) as Record<string, unknown> & { token?: string; seed?: string },
  };
}

async function received(nc: NatsConnection, subject: string, publish: () => Promise<void>): Promise<string[] | Error> {
  const sub = nc.subscribe(subject);
  const got: string[] = [];
  const done = (async () => {
    try {
      for await (const m of sub) got.push(m.subject);
    } catch (err) {
      return err as Error;
    }
    return got;
  })();
  await nc.flush();
  await publish();
  await nc.flush().catch(() => {});
  await new Promise((r) => setTimeout(r, 200));
  sub.unsubscribe();
  return done;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'platewatch-runtime-'));
  const config = loadConfig(undefined, { dataDir: dir, governance: { api: { port: 0 } } });
  natsServer = new NatsServer({ storeDir: path.join(dir, 'nats') });
  await natsServer.start();
  runtime = new GovernanceRuntime(config, { scryptCost: 1 << 10, apiPort: 0, natsAuthorizationPollMs: 100 });
  const gov = runtime.governance;
  await gov.users.bootstrapAdministrator({
    username: 'lt.admin',
    displayName: 'Lt',
    password: PASSWORD,
    trainingDate: '2026-01-01',
  });
  const admin = gov.users.authenticate((await gov.users.login('lt.admin', PASSWORD)).token);
  await gov.users.designate(admin, {
    username: 'ofc.lee',
    displayName: 'Lee',
    role: 'operator',
    trainingDate: '2026-01-02',
    password: PASSWORD,
  });
  await runtime.enforceNatsAuthorization(natsServer);
  service = await connect({ servers: natsServer.url, authenticator: serviceAuthenticator(config) });
  await ensureStreams(await jetstreamManager(service), {
    readsMaxAgeDays: 30,
    hitsMaxAgeDays: 30,
    duplicateWindowSeconds: 60,
  });
  await runtime.start(natsServer.url);
});

afterAll(async () => {
  for (const nc of conns) await nc.close().catch(() => {});
  await service?.close();
  await runtime?.close();
  await natsServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Governance runtime with the local nats-server', () => {
  it('a client without credentials cannot connect once authorization is enforced', async () => {
    await expect(connect({ servers: natsServer.url, reconnect: false })).rejects.toThrow(/Authorization/i);
  });

  it('profile and NATS credentials over HTTP; an exception reloads the server and opens that category', async () => {
    const lee = (await http('POST', '/auth/login', undefined, { username: 'ofc.lee', password: PASSWORD })).json.token!;
    const admin = (await http('POST', '/auth/login', undefined, { username: 'lt.admin', password: PASSWORD })).json
      .token!;
    expect((await http('PUT', '/me/profile', lee, { categories: ['stolen_vehicle'] })).status).toBe(200);
    const creds = await http('POST', '/me/nats-credentials', lee, {});
    expect(creds.status).toBe(201);
    const nc = await connect({
      servers: natsServer.url,
      authenticator: nkeyAuthenticator(new TextEncoder().encode(creds.json.seed!)),
      reconnect: false,
    });
    conns.push(nc);
    const publishGang = async () => {
      service.publish(hitSubject('gang_terrorist', 'cam1'), '{}');
      await service.flush();
    };
    const before = await received(nc, 'platewatch.hits.gang_terrorist.>', publishGang);
    expect(before).toBeInstanceOf(Error);
    expect((before as Error).name).toBe('PermissionViolationError');

    const grant = await http('POST', '/exceptions', admin, {
      username: 'ofc.lee',
      category: 'gang_terrorist',
      purpose: 'criminal_investigation',
      justification: 'task force surveillance of a specific vehicle',
      caseNumber: 'TF-88',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(grant.status).toBe(201);
    const after = await received(nc, 'platewatch.hits.gang_terrorist.>', publishGang);
    expect(after).toEqual(['platewatch.hits.gang_terrorist.cam1']);

    // Revoked from another process (the CLI writes the same LMDB): the runtime notices and reloads.
    const other = new Governance(runtime.governance.dir, runtime.config.governance);
    try {
      const admin2 = other.users.authenticate((await other.users.login('lt.admin', PASSWORD)).token);
      other.profiles.revokeException(admin2, (grant.json as { id: string }).id);
    } finally {
      await other.close();
    }
    let revoked: string[] | Error = [];
    for (let i = 0; i < 30 && !(revoked instanceof Error); i++) {
      revoked = await received(nc, 'platewatch.hits.gang_terrorist.>', publishGang);
    }
    expect(revoked).toBeInstanceOf(Error);
  });

  it('hits published by the service through JetStream reach the review API of an allowed user', async () => {
    const lee = (await http('POST', '/auth/login', undefined, { username: 'ofc.lee', password: PASSWORD })).json.token!;
    const now = new Date().toISOString();
    const hit = {
      schema: 'platewatch.hit.v1',
      id: 'hit-runtime-1',
      detectedAt: now,
      cameraId: 'cam1',
      category: 'stolen_vehicle',
      categoryLabel: 'Stolen Vehicle',
      authorized: true,
      plate: '7ABC123',
      readConfidence: 0.9,
      state: 'CA',
      stateConfidence: 0.8,
      match: { rule: 'exact', edits: 0, state: 'same', flags: [] },
      entry: {
        plate: '7ABC123',
        state: 'CA',
        category: 'stolen_vehicle',
        source: 'S',
        recordId: 'R',
        reason: null,
        enteredBy: null,
        cjisReference: null,
        createdAt: now,
        expiresAt: null,
      },
      phase: 'preview',
      group: {},
      evidence: { plateJpeg: 'AAAA' },
    };
    await jetstream(service).publish(hitSubject('stolen_vehicle', 'cam1'), JSON.stringify(hit), { msgID: hit.id });
    let list: unknown[] = [];
    for (let i = 0; i < 100 && list.length === 0; i++) {
      list = (await http('GET', '/hits', lee)).json as unknown as unknown[];
      if (list.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(list).toMatchObject([{ id: 'hit-runtime-1', status: 'pending', flags: [] }]);
    const verify = await http('POST', '/hits/hit-runtime-1/verify', lee, {
      charactersVerified: true,
      stateVerified: false,
      system: 'NCIC',
      reference: 'NCIC-1',
    });
    expect(verify.status).toBe(422);
    expect((verify.json.error as { code: string }).code).toBe('ERR_NOT_VERIFIED');
  });
});
