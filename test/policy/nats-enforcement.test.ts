/**
 * General Order 41-11, "Alert profiles ... enforced where it matters": a real nats-server with the
 * authorization generated from profiles; hand-written clients try to read prohibited hits.
 */
import { connect, type NatsConnection, nkeyAuthenticator, nkeys, type Subscription } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsAuthorizationBlock } from '../../src/profiles/natsPermissions.js';
import { hitSubject } from '../../src/subjects.js';
import { type Fixture, makeFixture } from './helpers.js';
import { startNatsServer, type TestNatsServer } from './natsServer.js';

const DAY = 86_400_000;
let f: Fixture;
let server: TestNatsServer;
const conns: NatsConnection[] = [];
let service: NatsConnection;
const creds: Record<string, string> = {};
const serviceKey = nkeys.createUser();

function authorization(): string {
  return natsAuthorizationBlock([{ nkey: serviceKey.getPublicKey() }, ...f.gov.profiles.natsUsers()]);
}

async function connectAs(seed: string): Promise<NatsConnection> {
  const nc = await connect({
    servers: server.url,
    authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
    reconnect: false,
  });
  conns.push(nc);
  return nc;
}

/** Collects what a subscription receives within the wait; `error` is set when the server refused it. */
function collect(sub: Subscription): { subjects: string[]; error: Error | null; done: Promise<void> } {
  const out = { subjects: [] as string[], error: null as Error | null, done: Promise.resolve() };
  out.done = (async () => {
    try {
      for await (const m of sub) out.subjects.push(m.subject);
    } catch (err) {
      out.error = err as Error;
    }
  })();
  return out;
}

async function publishHits(): Promise<void> {
  for (const c of ['stolen_vehicle', 'gang_terrorist', 'sex_offender', 'warrant'] as const) {
    service.publish(hitSubject(c, 'cam1'), JSON.stringify({ category: c }));
  }
  await service.flush();
  await new Promise((r) => setTimeout(r, 150));
}

beforeAll(async () => {
  f = await makeFixture();
  f.gov.profiles.establish(f.actors.operator, ['stolen_vehicle', 'warrant']);
  f.gov.profiles.establish(f.actors.supervisor, ['stolen_vehicle']);
  f.gov.profiles.grantException(f.actors.administrator, {
    username: 'supervisor',
    category: 'gang_terrorist',
    purpose: 'criminal_investigation',
    justification: 'task force on a named gang-related vehicle theft ring',
    caseNumber: 'TF-2026-7',
    expiresAt: f.clock.t + DAY,
  });
  for (const role of ['operator', 'supervisor', 'records'] as const) {
    creds[role] = f.gov.profiles.issueNatsCredentials(f.actors[role]).seed;
  }
  server = await startNatsServer(authorization());
  service = await connect({
    servers: server.url,
    authenticator: nkeyAuthenticator(serviceKey.getSeed()),
    reconnect: false,
  });
  conns.push(service);
});

afterAll(async () => {
  for (const nc of conns) await nc.close().catch(() => {});
  await server?.stop();
  await f?.close();
});

describe('NATS permissions generated from alert profiles (real nats-server)', () => {
  it('a prohibited hit cannot reach an unexcepted user, even with a hand-written client', async () => {
    const nc = await connectAs(creds.operator!);
    const allowed = collect(nc.subscribe('platewatch.hits.stolen_vehicle.>'));
    const prohibited = collect(nc.subscribe('platewatch.hits.gang_terrorist.>'));
    const everything = collect(nc.subscribe('platewatch.hits.>'));
    const raw = collect(nc.subscribe('>'));
    await nc.flush();
    await publishHits();
    await nc.flush().catch(() => {});
    await Promise.all([prohibited.done, everything.done, raw.done]);
    expect(allowed.subjects).toEqual(['platewatch.hits.stolen_vehicle.cam1']);
    for (const refused of [prohibited, everything, raw]) {
      expect(refused.subjects).toEqual([]);
      expect(refused.error?.name).toBe('PermissionViolationError');
    }
  });

  it('a user cannot reach the JetStream API (a consumer would bypass subject permissions) nor publish', async () => {
    const nc = await connectAs(creds.operator!);
    await expect(nc.request('$JS.API.STREAM.INFO.PLATEWATCH_HITS', '', { timeout: 1000 })).rejects.toThrow();
    const errors: string[] = [];
    (async () => {
      for await (const s of nc.status()) if (s.type === 'error') errors.push(String(s.error));
    })();
    nc.publish(hitSubject('stolen_vehicle', 'cam1'), 'forged hit');
    await nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(errors.join('\n')).toMatch(/Permissions Violation for Publish/);
  });

  it('a user with no profile yet receives nothing', async () => {
    const nc = await connectAs(creds.records!);
    const sub = collect(nc.subscribe('platewatch.hits.stolen_vehicle.>'));
    await nc.flush();
    await publishHits();
    await nc.flush().catch(() => {});
    await sub.done;
    expect(sub.subjects).toEqual([]);
    expect(sub.error?.name).toBe('PermissionViolationError');
  });

  it("an administrator's exception lets that user receive the category until it expires", async () => {
    const nc = await connectAs(creds.supervisor!);
    const gang = collect(nc.subscribe('platewatch.hits.gang_terrorist.>'));
    const sex = collect(nc.subscribe('platewatch.hits.sex_offender.>'));
    await nc.flush();
    await publishHits();
    await nc.flush().catch(() => {});
    await sex.done;
    expect(gang.subjects).toEqual(['platewatch.hits.gang_terrorist.cam1']);
    expect(sex.error?.name).toBe('PermissionViolationError');

    // The exception expires: the sweep names the user, the permissions are regenerated and reloaded.
    f.clock.advance(DAY + 1);
    expect(f.gov.profiles.sweepExpired()).toEqual(['supervisor']);
    await server.reload(authorization());
    const nc2 = await connectAs(creds.supervisor!);
    const after = collect(nc2.subscribe('platewatch.hits.gang_terrorist.>'));
    await nc2.flush();
    await publishHits();
    await nc2.flush().catch(() => {});
    await after.done;
    expect(after.subjects).toEqual([]);
    expect(after.error?.name).toBe('PermissionViolationError');
    // The subscription opened under the exception stops receiving too (the server re-checks on reload).
    expect(gang.subjects).toEqual(['platewatch.hits.gang_terrorist.cam1']);
  });
});
