import type { Command } from 'commander';

import type { PurposeCode } from '../../governance/purposes.js';
import { consoleActor, loginAs, withGovernance } from './governanceCli.js';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('The tamper-evident audit log');

  audit
    .command('verify')
    .description('Prove the audit hash chain (exit 0 when intact, 3 when broken); the check is itself recorded')
    .option('--as <user>', 'record the check under this user (default: the console user)')
    .action(async (o: { as?: string }, command: Command) => {
      await withGovernance(command, async (gov) => {
        const actor = o.as ? await loginAs(gov, o.as) : consoleActor(gov);
        const r = gov.audit.verify(actor);
        if (r.ok) console.log(`audit chain intact: ${r.records} records, head ${r.headHash}`);
        else {
          console.error(
            `audit chain BROKEN at record ${r.badSeq}: ${r.problem} (${r.records} records verified before it)`,
          );
          process.exitCode = 3;
        }
      });
    });

  audit
    .command('report')
    .description('Audit report by user, purpose or action over a period (chief, auditor, administrator)')
    .requiredOption('--as <user>', 'who is asking (chief, auditor or administrator)')
    .requiredOption('--reason <text>', 'why the audit log is read (recorded)')
    .option('--by <what>', 'user, purpose or action', 'user')
    .option('--from <date>', 'start (ISO date or date-time)', new Date(Date.now() - 30 * 86_400_000).toISOString())
    .option('--to <date>', 'end (ISO date or date-time)', new Date().toISOString())
    .option('--purpose <code>', 'purpose code of this read', 'audit')
    .option('--json', 'print JSON')
    .action(
      async (
        o: {
          as: string;
          reason: string;
          by: 'user' | 'purpose' | 'action';
          from: string;
          to: string;
          purpose: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        await withGovernance(command, async (gov) => {
          const actor = await loginAs(gov, o.as);
          const r = gov.audit.report(
            actor,
            { from: o.from, to: o.to, by: o.by },
            { purpose: o.purpose as PurposeCode, reason: o.reason },
          );
          if (o.json) {
            console.log(JSON.stringify(r, null, 2));
            return;
          }
          console.log(`audit report by ${r.by}, ${r.from} .. ${r.to}: ${r.total} records, ${r.refused} refused`);
          for (const row of r.rows)
            console.log(`  ${row.key.padEnd(32)} ${String(row.count).padStart(7)}  refused ${row.refused}`);
        });
      },
    );
}
