/**
 * Logins are throttled per client address (governance.auth.loginsPerMinutePerAddress): the account lockout
 * stops guessing one user's password, this stops one machine trying many users and bounds the scrypt work
 * an unauthenticated client can cause. Real Fastify app, requests injected from distinct addresses.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { buildApi } from '../../src/api/server.js';
import { type Fixture, makeFixture, PASSWORD } from './helpers.js';

describe('login throttling per client address', () => {
  let f: Fixture;
  afterEach(async () => f?.close());

  it('answers 429 with a clear error beyond the limit from one address; other addresses and tokens are unaffected', async () => {
    f = await makeFixture();
    f.gov.ctx.config.auth.loginsPerMinutePerAddress = 3;
    const app = await buildApi(f.gov);
    try {
      const login = (username: string, password: string, remoteAddress: string) =>
        app.inject({ method: 'POST', url: '/auth/login', payload: { username, password }, remoteAddress });
      // Three wrong guesses at three different users from one address: each refused as a bad login.
      for (const user of ['operator', 'supervisor', 'auditor']) {
        expect((await login(user, 'wrong password here', '203.0.113.7')).statusCode).toBe(401);
      }
      // The fourth attempt from that address is throttled before the password is even checked...
      const throttled = await login('operator', PASSWORD, '203.0.113.7');
      expect(throttled.statusCode).toBe(429);
      expect(throttled.json()).toMatchObject({ error: { code: 'ERR_TOO_MANY_LOGINS' } });
      expect(throttled.json().error.message).toMatch(/at most 3 per minute; retry in \d+ s/);
      // ...so it neither logged in nor counted as a failed login of the account.
      const user = f.gov.users.list(f.actors.administrator).find((u) => u.username === 'operator')!;
      expect(user.failedLogins).toBe(1);
      // Another address still logs in, and its token works on the other (unthrottled) routes.
      const ok = await login('operator', PASSWORD, '198.51.100.20');
      expect(ok.statusCode).toBe(200);
      const token = ok.json().token as string;
      for (let i = 0; i < 5; i++) {
        const me = await app.inject({
          method: 'GET',
          url: '/me',
          headers: { authorization: `Bearer ${token}` },
          remoteAddress: '203.0.113.7',
        });
        expect(me.statusCode).toBe(200);
      }
    } finally {
      await app.close();
    }
  });
});
