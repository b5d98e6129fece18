/**
 * The HTTP API (Fastify). Every route but login needs a bearer token; the role is checked before the
 * body is parsed; every body is validated against its JSON Schema (unknown fields are rejected, not
 * dropped); errors come back as `{ error: { code, message } }` with a status that says what happened.
 * Logs carry method, path and status only: never a header, a body, a password or a token.
 */
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';

import type { Config } from '../config/schema.js';
import {
  AuditIntegrityError,
  AuthError,
  ConfigError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  PlatewatchError,
  PolicyError,
} from '../errors.js';
import { requireRole } from '../governance/Context.js';
import { Governance } from '../governance/Governance.js';
import type { Actor } from '../governance/roles.js';
import { type ApiHooks, ROUTES } from './routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    token: string;
  }
}

export const OPENAPI_INFO = {
  title: 'platewatch API',
  version: '1.0.0',
  description:
    'Automated licence plate reader: users, alert profiles, hits, history, audit and sharing under General Order 41-11. ' +
    'Every route except POST /auth/login needs `Authorization: Bearer <token>`; each route names the roles that may call it.',
};

export interface ApiOptions {
  logger?: FastifyServerOptions['logger'];
  bodyLimit?: number;
  hooks?: ApiHooks;
}

function statusOf(err: unknown): number {
  if (err instanceof AuthError) return 401;
  if (err instanceof ForbiddenError) return 403;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof InvalidInputError || err instanceof ConfigError) return 400;
  if (err instanceof PolicyError) return 422;
  if (err instanceof AuditIntegrityError) return 500;
  return 500;
}

export async function buildApi(gov: Governance, options: ApiOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    // Reject unknown fields instead of silently dropping them; never coerce body types.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    exposeHeadRoutes: false,
  });
  const hooks = options.hooks ?? {};
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: OPENAPI_INFO,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  // Only the public (login) route is throttled, per client address: every other route needs a token.
  await app.register(rateLimit, {
    global: false,
    // Thrown to the error handler below, which answers { error: { code, message } } like every error.
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      code: 'ERR_TOO_MANY_LOGINS',
      message: `too many login attempts from this address: at most ${ctx.max} per minute; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
    }),
  });
  const loginLimit = { max: gov.ctx.config.auth.loginsPerMinutePerAddress, timeWindow: 60_000 };
  app.decorateRequest('actor', null);
  app.decorateRequest('token', '');

  app.setErrorHandler((err: FastifyError | PlatewatchError, req, reply) => {
    if (err instanceof PlatewatchError) {
      const status = statusOf(err);
      if (status >= 500) req.log.error({ code: err.code }, err.message);
      const extra = (err as { requestId?: string }).requestId
        ? { requestId: (err as { requestId?: string }).requestId }
        : {};
      return reply.status(status).send({ error: { code: err.code, message: err.message, ...extra } });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      return reply.status(400).send({ error: { code: 'ERR_VALIDATION', message: fe.message } });
    }
    if (fe.statusCode && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send({ error: { code: fe.code ?? 'ERR_BAD_REQUEST', message: fe.message } });
    }
    req.log.error({ code: fe.code, name: fe.name }, 'internal error');
    return reply.status(500).send({ error: { code: 'ERR_INTERNAL', message: 'internal error' } });
  });

  for (const route of ROUTES) {
    const roles = route.roles;
    const rolesText = roles === 'public' ? 'no token' : roles === 'any' ? 'any role' : roles.join(', ');
    app.route({
      method: route.method,
      url: route.url,
      ...(roles === 'public' ? { config: { rateLimit: loginLimit } } : {}),
      schema: {
        summary: route.summary,
        description: `Roles: ${rolesText}.`,
        tags: [route.tag],
        ...(roles === 'public' ? { security: [] } : {}),
        ...(route.body ? { body: route.body } : {}),
        ...(route.querystring ? { querystring: route.querystring } : {}),
        ...(route.params ? { params: route.params } : {}),
      },
      // Authentication and the role check run before the body is read.
      onRequest: async (req) => {
        if (roles === 'public') return;
        const header = req.headers.authorization ?? '';
        const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
        req.actor = gov.users.authenticate(token);
        req.token = token;
        if (roles !== 'any')
          requireRole(gov.ctx, req.actor, roles, `${route.method} ${route.url}`, req.url.split('?')[0]!);
      },
      handler: async (req, reply) => {
        const result = await route.handler(
          gov,
          {
            actor: req.actor as Actor,
            token: req.token,
            body: (req.body ?? {}) as never,
            query: (req.query ?? {}) as Record<string, unknown>,
            params: (req.params ?? {}) as Record<string, string>,
          },
          hooks,
        );
        reply.status(route.status ?? 200);
        return result ?? { ok: true };
      },
    });
  }

  app.get(
    '/openapi.json',
    {
      schema: { summary: 'This API as an OpenAPI 3 document', description: 'Roles: any role.', tags: ['meta'] },
      onRequest: async (req) => {
        req.actor = gov.users.authenticate((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      },
    },
    async () => app.swagger(),
  );
  return app;
}

/** The OpenAPI document without starting a server (for docs/openapi.json). */
export async function openApiDocument(gov: Governance): Promise<unknown> {
  const app = await buildApi(gov);
  await app.ready();
  const doc = app.swagger();
  await app.close();
  return doc;
}

/**
 * Starts the API on the configured host and port over the governance store: for `platewatch api`
 * and for `platewatch run` (which may pass hooks to purge the read stream and reload NATS permissions).
 */
export async function startApi(
  config: Config,
  options: { governance?: Governance; hooks?: ApiHooks; port?: number; logLevel?: 'info' | 'warn' | 'error' } = {},
): Promise<{ app: FastifyInstance; url: string; governance: Governance; close(): Promise<void> }> {
  const governance = options.governance ?? Governance.open(config);
  const app = await buildApi(governance, {
    // 'info' logs one line per request (method, path, status; never a header or a body).
    logger: { level: options.logLevel ?? 'info' },
    bodyLimit: config.governance.api.bodyLimitBytes,
    hooks: options.hooks ?? {},
  });
  const host = config.governance.api.host;
  const port = options.port ?? config.governance.api.port;
  let url: string;
  try {
    url = await app.listen({ host, port });
  } catch (err) {
    await app.close();
    if (!options.governance) await governance.close();
    throw new ConfigError(
      `the HTTP API cannot listen on ${host}:${port} (${(err as Error).message}): set governance.api.host / governance.api.port`,
      { cause: err },
    );
  }
  return {
    app,
    url,
    governance,
    async close() {
      await app.close();
      if (!options.governance) await governance.close();
    },
  };
}
