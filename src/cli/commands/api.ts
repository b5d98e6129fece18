import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Command } from 'commander';

import { openApiDocument } from '../../api/server.js';
import { Governance } from '../../governance/Governance.js';
import { GovernanceRuntime } from '../../governance/GovernanceRuntime.js';
import { HotlistStore } from '../../hotlist/HotlistStore.js';
import { configFor } from '../options.js';

export function registerApi(program: Command): void {
  const api = program
    .command('api')
    .description(
      'Serve the HTTP API (users, profiles, hits, history, audit, sharing) until interrupted; with a NATS URL it also ' +
        'fills the history and the hit review from JetStream and purges the read stream (a process of its own)',
    )
    .option('--port <n>', 'port (overrides governance.api.port)')
    .option('--nats-url <url>', 'NATS server with the platewatch streams (default: nats.url of the config, if set)')
    .action(async (o: { port?: string; natsUrl?: string }, command: Command) => {
      const config = configFor(command);
      const hotlist = new HotlistStore(path.join(path.resolve(config.dataDir), 'hotlist'));
      const runtime = new GovernanceRuntime(config, {
        hotlist,
        ...(o.port === undefined ? {} : { apiPort: Number(o.port) }),
        log: (line) => console.log(line),
        apiLogLevel: 'info',
      });
      try {
        const natsUrl = o.natsUrl ?? config.nats.url ?? undefined;
        await runtime.start(natsUrl);
        console.log(
          `platewatch API on ${runtime.apiUrl} (OpenAPI at ${runtime.apiUrl}/openapi.json)` +
            (natsUrl ? `; history and hits from ${natsUrl}` : ''),
        );
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      } finally {
        await runtime.close();
        await hotlist.close();
      }
    });

  api
    .command('openapi')
    .description('Print the OpenAPI document (docs/openapi.json is this output)')
    .action(async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-openapi-'));
      const config = configFor(program);
      const gov = new Governance(dir, config.governance);
      try {
        console.log(JSON.stringify(await openApiDocument(gov), null, 2));
      } finally {
        await gov.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
}
