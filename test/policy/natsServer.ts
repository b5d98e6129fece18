/** A real nats-server (Debian package) on a free port with a given configuration, for tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort } from '../../bench/lib/freePort.js';

export { freePort };

export interface TestNatsServer {
  port: number;
  url: string;
  configFile: string;
  /** Rewrites the authorization part of the configuration and makes the server reload it. */
  reload(authorization: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startNatsServer(authorization: string, jetstream = false): Promise<TestNatsServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'platewatch-nats-'));
  const port = await freePort();
  const configFile = path.join(dir, 'nats.conf');
  const head = `listen: 127.0.0.1:${port}\n${jetstream ? `jetstream { store_dir: "${dir}/js" }\n` : ''}`;
  writeFileSync(configFile, head + authorization);
  const proc: ChildProcess = spawn('nats-server', ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not start:\n${log}`)), 10_000);
    proc.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${code}:\n${log}`));
    });
  });
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    configFile,
    async reload(authz: string) {
      const mark = log.length;
      writeFileSync(configFile, head + authz);
      proc.kill('SIGHUP');
      const deadline = Date.now() + 5_000;
      while (!log.slice(mark).includes('Reloaded server configuration')) {
        if (Date.now() > deadline) throw new Error(`nats-server did not reload:\n${log.slice(mark)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
