import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Command } from 'commander';

import { openApiDocument, startApi } from '../../api/server.js';
import { Governance } from '../../governance/Governance.js';
import { configFor } from '../options.js';

export function registerApi(program: Command): void {
  const api = program
    .command('api')
    .description('Serve the HTTP API (users, profiles, hits, history, audit, sharing) until interrupted')
    .option('--port <n>', 'port (overrides governance.api.port)')
    .action(async (o: { port?: string }, command: Command) => {
      const config = configFor(command);
      const server = await startApi(config, o.port === undefined ? {} : { port: Number(o.port) });
      console.log(`platewatch API on ${server.url} (OpenAPI at ${server.url}/openapi.json)`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
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
