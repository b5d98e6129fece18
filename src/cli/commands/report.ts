import type { Command } from 'commander';

import { formatTransparencyReport, transparencyReport } from '../../governance/transparencyReport.js';
import { configFor } from '../options.js';
import { consoleActor, withGovernance } from './governanceCli.js';

export function registerReport(program: Command): void {
  const report = program.command('report').description('Reports');
  report
    .command('transparency')
    .description(
      'The public transparency report: cameras, reads, hits, searches by purpose, retention, prohibited uses, audits',
    )
    .option('--days <n>', 'period in days', '30')
    .option('--json', 'print JSON')
    .action(async (o: { days: string; json?: boolean }, command: Command) => {
      const configured = configFor(command).cameras.length;
      await withGovernance(command, (gov) => {
        const days = Number(o.days);
        if (!Number.isFinite(days) || days <= 0 || days > 366)
          throw new TypeError(`--days must be 1..366 (got ${o.days})`);
        const r = transparencyReport(gov, consoleActor(gov), days, configured);
        console.log(o.json ? JSON.stringify(r, null, 2) : formatTransparencyReport(r));
      });
    });
}
