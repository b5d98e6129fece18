/** "An OpenAPI document served and committed": docs/openapi.json is what the API serves. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildApi } from '../../src/api/server.js';
import { packageRoot } from '../../src/paths.js';
import { type Fixture, makeFixture, PASSWORD } from './helpers.js';

let f: Fixture;
beforeAll(async () => {
  f = await makeFixture();
});
afterAll(async () => {
  await f?.close();
});

describe('OpenAPI document', () => {
  it('the served document equals the committed docs/openapi.json (regenerate: platewatch api openapi > docs/openapi.json)', async () => {
    const app = await buildApi(f.gov);
    const login = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'auditor', password: PASSWORD },
    });
    const res = await app.inject({
      method: 'GET',
      url: '/openapi.json',
      headers: { authorization: `Bearer ${login.json().token}` },
    });
    expect(res.statusCode).toBe(200);
    const committed = JSON.parse(readFileSync(path.join(packageRoot, 'docs', 'openapi.json'), 'utf8'));
    expect(res.json()).toEqual(committed);
    const operations = Object.values(committed.paths as Record<string, object>).flatMap((ops) => Object.keys(ops));
    expect(operations.length).toBe(45);
    expect(committed.paths['/auth/login'].post.security).toEqual([]);
    expect(committed.paths['/history/search'].post.requestBody.content['application/json'].schema.required).toEqual([
      'query',
      'purpose',
      'reason',
    ]);
    await app.close();
  });
});
