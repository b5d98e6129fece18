import { readFileSync } from 'node:fs';

import { connect, nkeyAuthenticator } from '@nats-io/transport-node';
import type { Command } from 'commander';

import { AUTHORIZED_CATEGORIES, CATEGORY_IDS, type CategoryId, isCategoryId } from '../../categories.js';
import { PlatewatchError } from '../../errors.js';
import type { HitMessage } from '../../pipeline/messages.js';
import { SUBJECT_PREFIX } from '../../subjects.js';
import { configFor } from '../options.js';

function line(hit: HitMessage): string {
  const flags = hit.match.flags.length ? `  !! verify: ${hit.match.flags.join(', ')}` : '';
  return (
    `${hit.detectedAt}  ${hit.categoryLabel}  ${hit.plate} (${hit.state ?? '??'})  ${hit.match.rule}` +
    `${hit.match.rule === 'lookalike' ? ` of ${hit.entry.plate}` : ''} listed ${hit.entry.state ?? '??'}` +
    `  camera ${hit.cameraId}  [${hit.entry.source} ${hit.entry.recordId}${hit.entry.reason ? `: ${hit.entry.reason}` : ''}]${flags}`
  );
}

function readSeed(file: string): Uint8Array {
  try {
    return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
  } catch (err) {
    throw new PlatewatchError('ERR_NKEY_FILE', `--nkey ${file}: ${(err as Error).message}`, { cause: err });
  }
}

export function registerSubscribe(program: Command): void {
  program
    .command('subscribe')
    .description('Watch hits as they happen (for dispatch): one line per hit, or JSON')
    .option('--url <url>', 'NATS server (default: the local one of `platewatch run`)')
    .option('--user <user>', 'NATS user')
    .option('--password <password>', 'NATS password (or NATS_PASSWORD in the environment)')
    .option('--nkey <file>', "file holding the user's NATS NKey seed (or NATS_NKEY_SEED in the environment)")
    .option(
      '--category <id...>',
      `categories to watch (default: the authorized ones). One of: ${CATEGORY_IDS.join(', ')}`,
    )
    .option('--camera <id>', 'only this camera')
    .option('--json', 'print each hit message as JSON, one per line')
    .option('--count <n>', 'exit after this many hits', (v) => Number(v))
    .action(
      async (
        opts: {
          url?: string;
          nkey?: string;
          user?: string;
          password?: string;
          category?: string[];
          camera?: string;
          json?: boolean;
          count?: number;
        },
        command: Command,
      ) => {
        const config = configFor(command);
        const url = opts.url ?? config.nats.url ?? `nats://${config.nats.localHost}:${config.nats.localPort}`;
        const categories = (opts.category ?? [...AUTHORIZED_CATEGORIES]).map((c) => {
          if (!isCategoryId(c))
            throw new PlatewatchError('ERR_CATEGORY', `unknown category '${c}' (${CATEGORY_IDS.join(', ')})`);
          return c as CategoryId;
        });
        const pass = opts.password ?? process.env.NATS_PASSWORD;
        const envSeed = process.env.NATS_NKEY_SEED?.trim();
        const seed = opts.nkey ? readSeed(opts.nkey) : envSeed ? new TextEncoder().encode(envSeed) : undefined;
        const nc = await connect({
          servers: url,
          maxReconnectAttempts: -1,
          // Per-user NATS credentials (issue 6: `platewatch profile nats-credentials`); a secret, so never an argument.
          ...(process.env.NATS_NKEY_SEED
            ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(process.env.NATS_NKEY_SEED.trim())) }
            : {}),
          ...(opts.user ? { user: opts.user } : {}),
          ...(pass ? { pass } : {}),
          ...(seed ? { authenticator: nkeyAuthenticator(seed) } : {}),
        }).catch((err: Error) => {
          throw new PlatewatchError('ERR_NATS_CONNECT', `cannot connect to NATS at ${url}: ${err.message}`, {
            cause: err,
          });
        });
        const camera = opts.camera ?? '*';
        let seen = 0;
        const done = new Promise<void>((resolve) => {
          for (const cat of categories) {
            // Per-category subjects: the server refuses (and reports) a category this user may not receive.
            nc.subscribe(`${SUBJECT_PREFIX}.hits.${cat}.${camera}`, {
              callback: (err, msg) => {
                if (err) {
                  console.error(`platewatch: ${cat}: ${err.message}`);
                  return;
                }
                const hit = msg.json<HitMessage>();
                console.log(opts.json ? JSON.stringify(hit) : line(hit));
                if (opts.count && ++seen >= opts.count) resolve();
              },
            });
          }
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        console.error(`platewatch: watching ${categories.join(', ')} on ${url}`);
        await Promise.race([done, nc.closed()]);
        await nc.drain().catch(() => {});
      },
    );
}
