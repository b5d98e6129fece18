/**
 * "Secrets never appear in logs": passwords, API tokens and NATS seeds go through login, password
 * change, token use and credential issue with the API logging at trace level, and the CLI run with
 * secrets from the environment; none shows in any log line, response-free audit record or CLI output.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';

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

describe('Secrets never appear in logs', () => {
  it('the API at trace level logs no password, token or NATS seed', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const app = await buildApi(f.gov, { logger: { level: 'trace', stream } });
    const NEW = 'a completely new passphrase 42';
    const login = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'operator', password: PASSWORD },
    });
    const token: string = login.json().token;
    const auth = { authorization: `Bearer ${token}` };
    await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'operator', password: 'wrong password 77' },
    });
    const creds = await app.inject({ method: 'POST', url: '/me/nats-credentials', payload: {}, headers: auth });
    const seed: string = creds.json().seed;
    expect(seed).toMatch(/^SU/);
    await app.inject({ method: 'GET', url: '/me', headers: auth });
    await app.inject({ method: 'GET', url: '/users?token=x', headers: auth });
    const changed = await app.inject({
      method: 'PUT',
      url: '/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: NEW },
      headers: auth,
    });
    expect(changed.statusCode).toBe(200);
    const login2 = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'operator', password: NEW },
    });
    const token2: string = login2.json().token;
    await app.close();

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(10);
    expect(log).toContain('/auth/login');
    const audit = JSON.stringify(f.gov.auditLog.query());
    for (const secret of [
      PASSWORD,
      NEW,
      'wrong password 77',
      token,
      token2,
      seed,
      token.slice(4, 24),
      seed.slice(2, 22),
    ]) {
      expect(log).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
    // The stored records keep no secret either: only scrypt hashes and token hashes.
    const raw = JSON.stringify(f.gov.users.all());
    for (const secret of [PASSWORD, NEW, token, seed]) expect(raw).not.toContain(secret);
  });

  it('the CLI takes passwords from the environment or the terminal, never arguments, and prints none', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-cli-'));
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, `dataDir: ${dir}\n`);
    const run = promisify(execFile);
    const bin = path.join(packageRoot, 'bin', 'platewatch.js');
    const ADMIN_PW = 'admin secret passphrase 9';
    const USER_PW = 'records secret passphrase 8';
    const env = { ...process.env, PLATEWATCH_PASSWORD: ADMIN_PW, PLATEWATCH_NEW_PASSWORD: ADMIN_PW };
    const out: string[] = [];
    const cli = async (args: string[], extra: Record<string, string> = {}) => {
      try {
        const r = await run(process.execPath, [bin, '-c', config, ...args], { env: { ...env, ...extra } });
        out.push(r.stdout, r.stderr);
      } catch (err) {
        const e = err as { stdout: string; stderr: string };
        out.push(e.stdout, e.stderr);
      }
    };
    try {
      await cli(['users', 'bootstrap', '--username', 'lt.admin', '--training-date', '2026-01-01']);
      await cli(
        [
          'users',
          'add',
          '--as',
          'lt.admin',
          '--username',
          'clerk',
          '--role',
          'records',
          '--training-date',
          '2026-01-02',
        ],
        {
          PLATEWATCH_NEW_PASSWORD: USER_PW,
        },
      );
      // Independent of each other: run side by side to keep the test short.
      await Promise.all([
        cli(['users', 'list', '--as', 'clerk'], { PLATEWATCH_PASSWORD: USER_PW }),
        cli(['users', 'list', '--as', 'lt.admin'], { PLATEWATCH_PASSWORD: 'not the password' }),
        cli(['audit', 'verify']),
      ]);
      const text = out.join('\n');
      expect(text).toContain('records clerk designated by lt.admin');
      expect(text).toContain("role 'records' may not user.list");
      expect(text).toContain('unknown user or wrong password');
      expect(text).toMatch(/audit chain intact: \d+ records/);
      for (const secret of [ADMIN_PW, USER_PW, 'not the password']) expect(text).not.toContain(secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
