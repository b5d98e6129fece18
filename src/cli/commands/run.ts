import type { Command } from 'commander';

import { RunService } from '../../run/RunService.js';
import { configFor } from '../options.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'The main job: cameras -> plate reads -> one read per vehicle -> hot-list hits on NATS; prints hits, serves /metrics',
    )
    .option('--seconds <n>', 'stop after this many seconds (tests, CI); default: until Ctrl-C', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new TypeError(`--seconds must be a positive number (got '${v}')`);
      return n;
    })
    .option('--no-cameras', 'start everything but the cameras (NATS, hot list, metrics)')
    .action(async (opts: { seconds?: number; cameras: boolean }, command: Command) => {
      const config = configFor(command);
      const service = new RunService(config, { cameras: opts.cameras });
      let stopping = false;
      const stop = (why: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`platewatch: stopping (${why})`);
        service
          .stop()
          .then(() => console.log('platewatch: stopped'))
          .catch((err: Error) => {
            console.error(`platewatch: stop failed: ${err.message}`);
            process.exitCode = 1;
          });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      try {
        await service.start();
      } catch (err) {
        await service.stop(0).catch(() => {});
        throw err;
      }
      const s = service.status;
      if (s.state === 'running') {
        const cams = s.cameras.length ? s.cameras.join(', ') : 'none';
        console.log(`platewatch: running; cameras: ${cams}; hits on ${s.natsUrl} (platewatch subscribe); Ctrl-C stops`);
      }
      if (opts.seconds) setTimeout(() => stop(`--seconds ${opts.seconds}`), opts.seconds * 1000).unref();
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (service.status.state === 'stopped') {
            clearInterval(check);
            resolve();
          }
        }, 100);
      });
    });
}
