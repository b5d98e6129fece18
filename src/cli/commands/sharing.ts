/** CLI for sharing requests, FOI requests and special deployments (same services and audit as the API). */
import type { Command } from 'commander';

import { loginAs, withGovernance } from './governanceCli.js';

function print(value: unknown, json?: boolean): void {
  console.log(json ? JSON.stringify(value, null, 2) : value);
}

export function registerSharing(program: Command): void {
  const sharing = program
    .command('sharing')
    .description('Requests from other agencies (immigration enforcement is refused)');
  sharing
    .command('request')
    .description('Record a request (records staff or the administrator)')
    .requiredOption('--as <user>', 'who records it')
    .requiredOption('--agency <name>', 'requesting agency')
    .requiredOption('--mou <ref>', 'MOU or agreement reference')
    .requiredOption('--purpose <p>', 'law_enforcement or public_safety')
    .requiredOption('--requester <name>', 'the person asking')
    .requiredOption('--description <text>', 'what is asked for and why')
    .option('--case <number>', 'case number')
    .action(
      async (
        o: {
          as: string;
          agency: string;
          mou: string;
          purpose: string;
          requester: string;
          description: string;
          case?: string;
        },
        command: Command,
      ) => {
        await withGovernance(command, async (gov) => {
          const r = gov.sharing.request(await loginAs(gov, o.as), {
            agency: o.agency,
            mouReference: o.mou,
            purpose: o.purpose,
            requester: o.requester,
            description: o.description,
            caseNumber: o.case ?? null,
          });
          console.log(`sharing request ${r.id} recorded: ${r.status}`);
        });
      },
    );
  sharing
    .command('decide')
    .argument('<id>')
    .description('Approve or deny a request (records staff or the administrator)')
    .requiredOption('--as <user>', 'who decides')
    .option('--approve', 'approve (default: deny)')
    .requiredOption('--reason <text>', 'why')
    .action(async (id: string, o: { as: string; approve?: boolean; reason: string }, command: Command) => {
      await withGovernance(command, async (gov) => {
        const r = gov.sharing.decide(await loginAs(gov, o.as), id, { approve: o.approve === true, reason: o.reason });
        console.log(`sharing request ${r.id}: ${r.status}`);
      });
    });
  sharing
    .command('list')
    .requiredOption('--as <user>', 'who is asking')
    .option('--json', 'print JSON')
    .action(async (o: { as: string; json?: boolean }, command: Command) => {
      await withGovernance(command, async (gov) => {
        const list = gov.sharing.list(await loginAs(gov, o.as));
        if (o.json) print(list, true);
        else for (const r of list) console.log(`${r.id}  ${r.agency}  ${r.mouReference}  ${r.purpose}  ${r.status}`);
      });
    });

  const foi = program
    .command('foi')
    .description("Freedom of Information requests (released only with the chief's approval)");
  foi
    .command('request')
    .description('Record an FOI request (records staff; the chief is notified)')
    .requiredOption('--as <user>', 'records staff')
    .requiredOption('--requester <name>', 'who asks')
    .requiredOption('--description <text>', 'what is asked for')
    .requiredOption('--received <YYYY-MM-DD>', 'date received')
    .action(async (o: { as: string; requester: string; description: string; received: string }, command: Command) => {
      await withGovernance(command, async (gov) => {
        const r = gov.sharing.foiRequest(await loginAs(gov, o.as), {
          requester: o.requester,
          description: o.description,
          receivedOn: o.received,
        });
        console.log(`FOI request ${r.id} recorded; the chief decides`);
      });
    });
  foi
    .command('decide')
    .argument('<id>')
    .description("The chief's decision")
    .requiredOption('--as <user>', 'the chief')
    .option('--approve', 'approve (default: deny)')
    .requiredOption('--reason <text>', 'why')
    .action(async (id: string, o: { as: string; approve?: boolean; reason: string }, command: Command) => {
      await withGovernance(command, async (gov) => {
        const r = gov.sharing.foiDecide(await loginAs(gov, o.as), id, {
          approve: o.approve === true,
          reason: o.reason,
        });
        console.log(`FOI request ${r.id}: ${r.status}`);
      });
    });
  foi
    .command('release')
    .argument('<id>')
    .description('Release the data (records staff; refused unless the chief approved)')
    .requiredOption('--as <user>', 'records staff')
    .action(async (id: string, o: { as: string }, command: Command) => {
      await withGovernance(command, async (gov) => {
        const r = gov.sharing.foiRelease(await loginAs(gov, o.as), id);
        console.log(`FOI request ${r.id}: release recorded`);
      });
    });

  const deployments = program
    .command('deployments')
    .description('Non-traditional deployments (special operations, investigations)');
  deployments
    .command('request')
    .requiredOption('--as <user>', 'who asks')
    .requiredOption('--kind <kind>', 'special_operation or criminal_investigation')
    .requiredOption('--description <text>', 'what and why')
    .requiredOption('--location <text>', 'where')
    .requiredOption('--start <iso>', 'start')
    .requiredOption('--end <iso>', 'end')
    .option('--case <number>', 'case number')
    .action(
      async (
        o: {
          as: string;
          kind: string;
          description: string;
          location: string;
          start: string;
          end: string;
          case?: string;
        },
        command: Command,
      ) => {
        await withGovernance(command, async (gov) => {
          const d = gov.deployments.request(await loginAs(gov, o.as), {
            kind: o.kind,
            description: o.description,
            location: o.location,
            start: o.start,
            end: o.end,
            caseNumber: o.case ?? null,
          });
          console.log(`deployment ${d.id} requested; the administrator (or the chief) decides`);
        });
      },
    );
  deployments
    .command('decide')
    .argument('<id>')
    .requiredOption('--as <user>', 'the administrator, or the chief in their absence')
    .option('--approve', 'approve (default: deny)')
    .requiredOption('--reason <text>', 'why')
    .action(async (id: string, o: { as: string; approve?: boolean; reason: string }, command: Command) => {
      await withGovernance(command, async (gov) => {
        const d = gov.deployments.decide(await loginAs(gov, o.as), id, {
          approve: o.approve === true,
          reason: o.reason,
        });
        console.log(
          `deployment ${d.id}: ${d.status}; chief notified: ${d.chiefNotified.join(', ') || '(no chief designated)'}`,
        );
      });
    });
  deployments
    .command('results')
    .argument('<id>')
    .requiredOption('--as <user>', 'a supervisor or the administrator')
    .requiredOption('--incidents <n>', 'significant incidents', (v) => Number(v))
    .requiredOption('--arrests <n>', 'arrests', (v) => Number(v))
    .option('--notes <text>', 'notes', '')
    .action(
      async (id: string, o: { as: string; incidents: number; arrests: number; notes: string }, command: Command) => {
        await withGovernance(command, async (gov) => {
          const d = gov.deployments.recordResults(await loginAs(gov, o.as), id, {
            significantIncidents: o.incidents,
            arrests: o.arrests,
            notes: o.notes,
          });
          console.log(`deployment ${d.id}: ${d.results.length} result record(s)`);
        });
      },
    );
}
