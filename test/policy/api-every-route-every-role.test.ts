/**
 * "Every route authenticates and checks the role; a test walks every route as every role", plus
 * "every route rejects malformed bodies with a clear error and loses nothing".
 * The expected roles are written here independently of src/api/routes.ts: a route added without an
 * entry here, or with other roles, fails.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildApi } from '../../src/api/server.js';
import { ROLES, type Role } from '../../src/governance/roles.js';
import { type Fixture, makeFixture, PASSWORD } from './helpers.js';

const ANY = 'any' as const;
const EXPECTED: Record<string, readonly Role[] | 'any' | 'public'> = {
  'POST /auth/login': 'public',
  'POST /auth/logout': ANY,
  'PUT /auth/password': ANY,
  'GET /me': ANY,
  'PUT /me/profile': ANY,
  'POST /me/nats-credentials': ANY,
  'GET /me/notifications': ANY,
  'GET /openapi.json': ANY,
  'GET /users': ['administrator', 'chief', 'auditor'],
  'POST /users': ['administrator'],
  'PATCH /users/:username': ['administrator'],
  'POST /users/:username/unlock': ['administrator'],
  'PUT /users/:username/password': ['administrator'],
  'GET /exceptions': ['administrator', 'chief', 'auditor'],
  'POST /exceptions': ['administrator'],
  'POST /exceptions/:id/revoke': ['administrator'],
  'POST /audit/verify': ['chief', 'auditor', 'administrator'],
  'POST /audit/records': ['chief', 'auditor', 'administrator'],
  'POST /audit/report': ['chief', 'auditor', 'administrator'],
  'POST /history/search': ['operator', 'supervisor', 'administrator', 'records'],
  'POST /history/export': ['operator', 'supervisor', 'administrator'],
  'GET /holds': ['records', 'administrator', 'chief', 'auditor'],
  'POST /holds/:caseNumber/disposition': ['records'],
  'POST /retention/purge': ['records', 'administrator'],
  'GET /hits': ['operator', 'supervisor', 'administrator'],
  'GET /hits/:id': ['operator', 'supervisor', 'administrator'],
  'POST /hits/:id/verify': ['operator', 'supervisor', 'administrator'],
  'POST /hits/:id/disposition': ['operator', 'supervisor', 'administrator'],
  'GET /hotlist/manual': ['supervisor', 'administrator'],
  'POST /hotlist/manual': ['supervisor'],
  'PUT /hotlist/manual/:id': ['supervisor'],
  'POST /hotlist/manual/:id/expire': ['supervisor'],
  'GET /hotlist/stale': ['supervisor', 'administrator'],
  'GET /sharing/requests': ['records', 'administrator', 'chief', 'auditor'],
  'POST /sharing/requests': ['records', 'administrator'],
  'POST /sharing/requests/:id/decision': ['records', 'administrator'],
  'GET /foi/requests': ['records', 'chief', 'auditor'],
  'POST /foi/requests': ['records'],
  'POST /foi/requests/:id/decision': ['chief'],
  'POST /foi/requests/:id/release': ['records'],
  'GET /deployments': ['supervisor', 'administrator', 'chief', 'auditor'],
  'POST /deployments': ['operator', 'supervisor', 'administrator'],
  'POST /deployments/:id/decision': ['administrator', 'chief'],
  'POST /deployments/:id/results': ['supervisor', 'administrator'],
  'GET /reports/transparency': ['chief', 'administrator', 'records', 'auditor'],
};

let f: Fixture;
let app: FastifyInstance;
const tokens = {} as Record<Role, string>;
let routes: { method: string; url: string }[] = [];

async function login(username: string, password = PASSWORD): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password } });
  expect(res.statusCode).toBe(200);
  return res.json().token;
}

function concrete(url: string): string {
  return url.replace(/:[A-Za-z]+/g, 'nonexistent-id');
}

beforeAll(async () => {
  f = await makeFixture();
  // This suite logs in once per role and route from one address: the per-address login throttle has its
  // own test (login-throttle.test.ts).
  f.gov.ctx.config.auth.loginsPerMinutePerAddress = 10_000;
  app = await buildApi(f.gov);
  await app.ready();
  for (const role of ROLES) tokens[role] = await login(role);
  const doc = app.swagger() as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => ({ method: m.toUpperCase(), url: p.replace(/\{(\w+)\}/g, ':$1') })),
  );
});

afterAll(async () => {
  await app?.close();
  await f?.close();
});

describe('HTTP API: every route, every role', () => {
  it('the routes served are exactly the routes with an expected role list', () => {
    expect(routes.map((r) => `${r.method} ${r.url}`).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('every route but login refuses a request without a token, or with a forged one (401)', async () => {
    for (const r of routes) {
      if (EXPECTED[`${r.method} ${r.url}`] === 'public') continue;
      const payload = r.method === 'GET' ? undefined : {};
      for (const headers of [{}, { authorization: 'Bearer pwt_forged' }, { authorization: 'Basic abc' }]) {
        const res = await app.inject({ method: r.method as never, url: concrete(r.url), payload, headers });
        expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
        expect(res.json().error.code).toBe('ERR_UNAUTHENTICATED');
      }
    }
  });

  it('each role gets 403 exactly on the routes its role may not call; a refusal is audited', async () => {
    const refusedBefore = f.gov.auditLog.query({ outcome: 'refused' }).length;
    let forbidden = 0;
    for (const r of routes) {
      const expected = EXPECTED[`${r.method} ${r.url}`]!;
      if (expected === 'public') continue;
      for (const role of ROLES) {
        // Logging out ends the token: use a fresh one for that route.
        const token = r.url === '/auth/logout' ? await login(role) : tokens[role];
        const res = await app.inject({
          method: r.method as never,
          url: concrete(r.url),
          payload: r.method === 'GET' ? undefined : {},
          headers: { authorization: `Bearer ${token}` },
        });
        const label = `${role} ${r.method} ${r.url} -> ${res.statusCode} ${res.body.slice(0, 200)}`;
        const allowed = expected === 'any' || expected.includes(role);
        if (allowed) {
          expect([401, 403], label).not.toContain(res.statusCode);
          expect(res.statusCode, label).toBeLessThan(500);
        } else {
          expect(res.statusCode, label).toBe(403);
          expect(res.json().error.code, label).toBe('ERR_FORBIDDEN');
          forbidden += 1;
        }
      }
    }
    expect(forbidden).toBeGreaterThan(100);
    expect(f.gov.auditLog.query({ outcome: 'refused' }).length - refusedBefore).toBeGreaterThanOrEqual(forbidden);
    expect(f.gov.auditLog.verify().ok).toBe(true);
  });
});

describe('HTTP API: malformed bodies', () => {
  it('every route with a body rejects bad JSON, unknown fields and wrong types with a clear 400, and loses nothing', async () => {
    const withBody = routes.filter((r) => r.method !== 'GET' && r.url !== '/auth/login');
    const auditBefore = f.gov.auditLog.size;
    const usersBefore = f.gov.users.count;
    for (const r of withBody) {
      const expected = EXPECTED[`${r.method} ${r.url}`]!;
      const role = expected === 'any' || expected === 'public' ? 'operator' : expected[0]!;
      const headers = { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' };
      const label = `${role} ${r.method} ${r.url}`;
      const badJson = await app.inject({ method: r.method as never, url: concrete(r.url), payload: '{"a":', headers });
      expect(badJson.statusCode, label).toBe(400);
      expect(badJson.json().error.message, label).toMatch(/JSON/i);
      const unknown = await app.inject({
        method: r.method as never,
        url: concrete(r.url),
        payload: { sneaky: 1 },
        headers,
      });
      expect(unknown.statusCode, label).toBe(400);
      expect(unknown.json().error.code, label).toBe('ERR_VALIDATION');
      expect(unknown.json().error.message, label).toMatch(/sneaky|additional|required/);
      const array = await app.inject({ method: r.method as never, url: concrete(r.url), payload: '[1,2]', headers });
      expect(array.statusCode, label).toBe(400);
    }
    const wrongType = await app.inject({
      method: 'POST',
      url: '/history/search',
      payload: { query: { plate: 7 }, purpose: 'amber_alert', reason: 'amber alert in progress' },
      headers: { authorization: `Bearer ${tokens.operator}` },
    });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().error.message).toMatch(/body\/query\/plate must be string/);
    const tooBig = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'x', password: 'y'.repeat(2_000_000) },
    });
    expect(tooBig.statusCode).toBe(413);
    // Nothing accepted before is lost: the chain verifies, no user vanished, no record was written for 400s.
    expect(f.gov.auditLog.verify().ok).toBe(true);
    expect(f.gov.users.count).toBe(usersBefore);
    expect(f.gov.auditLog.size).toBe(auditBefore);
  });
});

describe('HTTP API: random bodies', () => {
  it('random values in every field of every route never cause a 5xx, and the audit chain still verifies', async () => {
    // Small seeded generator (reproducible); the long fuzz runs belong to the fault/fuzz benchmarks.
    let seed = 0x5eed;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const doc = app.swagger() as {
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content: { 'application/json': { schema: { properties?: Record<string, unknown> } } } } }
        >
      >;
    };
    const values = (): unknown =>
      pick<unknown>([
        '',
        'x',
        'operator',
        'stolen_vehicle',
        'criminal_investigation',
        '2026-11-01',
        '2026-11-01T00:00:00Z',
        '9999-99-99',
        'A'.repeat(300),
        '\u0000\u202e<script>',
        0,
        -1,
        1.5,
        2 ** 53,
        true,
        false,
        null,
        [],
        ['stolen_vehicle'],
        {},
        { plate: '7ABC*' },
      ]);
    let requests = 0;
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (method === 'get') continue;
        const props = Object.keys(op.requestBody?.content['application/json'].schema.properties ?? {});
        const url = concrete(p.replace(/\{(\w+)\}/g, ':$1'));
        for (let i = 0; i < 12; i++) {
          const body: Record<string, unknown> = {};
          for (const k of props) if (rnd() < 0.8) body[k] = values();
          const role = pick([...ROLES]);
          const res = await app.inject({
            method: method.toUpperCase() as never,
            url,
            payload: body,
            headers: { authorization: `Bearer ${tokens[role]}` },
          });
          requests += 1;
          expect(
            res.statusCode,
            `${role} ${method} ${url} ${JSON.stringify(body).slice(0, 200)} -> ${res.body}`,
          ).toBeLessThan(500);
          expect(res.json().error?.code ?? 'ok').toBeTypeOf('string');
          // Tokens may end (logout, password change): log in again for the next round.
          if (res.statusCode === 200 && (url === '/auth/logout' || url === '/auth/password'))
            tokens[role] = await login(role);
        }
      }
    }
    expect(requests).toBeGreaterThan(300);
    expect(f.gov.auditLog.verify().ok).toBe(true);
  });
});
