/**
 * CLI matching the API for alert profiles, exceptions, history search and retention (the same
 * services, so the same rules and the same audit trail). Passwords come from PLATEWATCH_PASSWORD or
 * the terminal.
 */
import type { Command } from 'commander';

import type { PurposeCode } from '../../governance/purposes.js';
import { natsAuthorizationBlock } from '../../profiles/natsPermissions.js';
import { consoleActor, loginAs, withGovernance } from './governanceCli.js';

export function registerPolicyCommands(program: Command): void {
  const profile = program.command('profile').description('Your alert profile (authorized categories only)');
  profile
    .command('set')
    .description('Establish or change your alert profile')
    .requiredOption('--as <user>', 'your user name')
    .requiredOption('--category <id...>', 'authorized categories to receive')
    .action(async (o: { as: string; category: string[] }, command: Command) => {
      await withGovernance(command, async (gov) => {
        const p = gov.profiles.establish(await loginAs(gov, o.as), o.category);
        console.log(`profile of ${p.username}: ${p.categories.join(', ')}`);
      });
    });
  profile
    .command('nats-credentials')
    .description('New NATS credentials (NKey seed printed once: keep it secret) limited to your allowed hit subjects')
    .requiredOption('--as <user>', 'your user name')
    .action(async (o: { as: string }, command: Command) => {
      await withGovernance(command, async (gov) => {
        const actor = await loginAs(gov, o.as);
        const { seed, publicKey } = gov.profiles.issueNatsCredentials(actor);
        console.log(
          JSON.stringify({ seed, publicKey, permissions: gov.profiles.natsPermissions(actor.username) }, null, 2),
        );
      });
    });

  const exceptions = program.command('exceptions').description("The administrator's category exceptions");
  exceptions
    .command('grant')
    .description('Grant one user a prohibited category for one investigation, until an expiry (administrator)')
    .requiredOption('--as <admin>', 'the administrator')
    .requiredOption('--user <name>', 'who receives the exception')
    .requiredOption('--category <id>', 'the prohibited category')
    .requiredOption('--case <number>', 'case number')
    .requiredOption('--justification <text>', 'why (at least 20 characters)')
    .requiredOption('--expires <date>', 'ISO date-time it ends (at most 90 days)')
    .option('--purpose <code>', 'purpose code', 'criminal_investigation')
    .action(
      async (
        o: {
          as: string;
          user: string;
          category: string;
          case: string;
          justification: string;
          expires: string;
          purpose: string;
        },
        command: Command,
      ) => {
        await withGovernance(command, async (gov) => {
          const ex = gov.profiles.grantException(await loginAs(gov, o.as), {
            username: o.user,
            category: o.category,
            purpose: o.purpose,
            justification: o.justification,
            caseNumber: o.case,
            expiresAt: o.expires,
          });
          console.log(
            `exception ${ex.id}: ${ex.username} may receive ${ex.category} until ${new Date(ex.expiresAt).toISOString()}`,
          );
        });
      },
    );
  exceptions
    .command('revoke')
    .argument('<id>')
    .description('End an exception now (administrator)')
    .requiredOption('--as <admin>', 'the administrator')
    .action(async (id: string, o: { as: string }, command: Command) => {
      await withGovernance(command, async (gov) => {
        gov.profiles.revokeException(await loginAs(gov, o.as), id);
        console.log(`exception ${id} ended`);
      });
    });
  exceptions
    .command('list')
    .description('All exceptions (administrator, chief, auditor)')
    .requiredOption('--as <user>', 'who is asking')
    .action(async (o: { as: string }, command: Command) => {
      await withGovernance(command, async (gov) => {
        const now = gov.ctx.now();
        for (const x of gov.profiles.listExceptions(await loginAs(gov, o.as))) {
          const state = x.endedAt !== null ? `ended by ${x.endedBy}` : x.expiresAt <= now ? 'expired' : 'live';
          console.log(
            `${x.id}  ${x.username}  ${x.category}  case ${x.caseNumber}  until ${new Date(x.expiresAt).toISOString()}  ${state}`,
          );
        }
      });
    });

  const hits = program.command('hits').description('Hit review: verify before a stop');
  hits
    .command('list')
    .description('Hits of the categories your profile allows, newest first (the query is audited)')
    .requiredOption('--as <user>', 'your user name')
    .option('--status <status>', 'pending, stop_authorized or closed')
    .option('--json', 'print JSON (with evidence)')
    .action(async (o: { as: string; status?: string; json?: boolean }, command: Command) => {
      await withGovernance(command, async (gov) => {
        const list = gov.hits.list(await loginAs(gov, o.as), o.status ? { status: o.status as never } : {});
        if (o.json) console.log(JSON.stringify(list, null, 2));
        else
          for (const h of list) {
            const flags = h.flags.length ? `  !! ${h.flags.join(', ')}` : '';
            console.log(
              `${h.id}  ${new Date(h.detectedAt).toISOString()}  ${h.category}  read ${h.read.plate} (${h.read.state ?? '??'}) ` +
                `listed ${h.entry.plate} (${h.entry.state ?? '??'})  ${h.matchRule}  ${h.status}${flags}`,
            );
          }
      });
    });
  hits
    .command('verify')
    .argument('<id>')
    .description(
      'Record that you checked characters and state against the vehicle and confirmed the status: stop authorized',
    )
    .requiredOption('--as <user>', 'your user name')
    .option('--characters-verified', 'you visually verified the characters against the vehicle')
    .option('--state-verified', 'you visually verified the state against the vehicle')
    .requiredOption('--system <name>', 'CJIS, NCIC or RMS')
    .requiredOption('--reference <ref>', 'the confirmation reference')
    .action(
      async (
        id: string,
        o: { as: string; charactersVerified?: boolean; stateVerified?: boolean; system: string; reference: string },
        command: Command,
      ) => {
        await withGovernance(command, async (gov) => {
          const h = gov.hits.verify(await loginAs(gov, o.as), id, {
            charactersVerified: o.charactersVerified === true,
            stateVerified: o.stateVerified === true,
            system: o.system,
            reference: o.reference,
          });
          console.log(`hit ${h.id}: ${h.status} (${h.verification?.system} ${h.verification?.reference})`);
        });
      },
    );
  hits
    .command('dispose')
    .argument('<id>')
    .argument('<disposition>', 'confirmed, wrong_state, misread, no_longer_wanted or dismissed')
    .description('Close a hit with its disposition (confirmed only after verification)')
    .requiredOption('--as <user>', 'your user name')
    .option('--notes <text>', 'notes')
    .action(async (id: string, disposition: string, o: { as: string; notes?: string }, command: Command) => {
      await withGovernance(command, async (gov) => {
        const h = gov.hits.dispose(await loginAs(gov, o.as), id, { disposition, notes: o.notes ?? null });
        console.log(`hit ${h.id}: closed as ${h.disposition?.value}`);
      });
    });

  const history = program.command('history').description('The searchable history of reads');
  history
    .command('search')
    .description(
      'Search reads by plate (or prefix ending in *) or camera: purpose and reason required (case number for investigations)',
    )
    .requiredOption('--as <user>', 'who is searching')
    .requiredOption('--purpose <code>', 'purpose code (criminal_investigation, missing_person, amber_alert, ...)')
    .requiredOption('--reason <text>', 'why (recorded)')
    .option('--case <number>', 'case number (required for investigative purposes)')
    .option('--plate <plate>', 'plate, or prefix ending in *')
    .option('--camera <id>', 'camera id')
    .option('--from <date>', 'start (ISO)')
    .option('--to <date>', 'end (ISO)')
    .option('--json', 'print JSON')
    .action(
      async (
        o: {
          as: string;
          purpose: string;
          reason: string;
          case?: string;
          plate?: string;
          camera?: string;
          from?: string;
          to?: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        await withGovernance(command, async (gov) => {
          const reads = gov.history.search(
            await loginAs(gov, o.as),
            { plate: o.plate, cameraId: o.camera, from: o.from, to: o.to },
            { purpose: o.purpose as PurposeCode, reason: o.reason, caseNumber: o.case ?? null },
          );
          if (o.json) console.log(JSON.stringify(reads, null, 2));
          else
            for (const r of reads) {
              console.log(
                `${new Date(r.firstSeen).toISOString()}  ${r.plate.padEnd(9)} ${r.state ?? '??'}  camera ${r.cameraId}  conf ${r.confidence.toFixed(2)}`,
              );
            }
          if (!o.json) console.log(`${reads.length} read(s); this search is recorded in the audit log`);
        });
      },
    );

  program
    .command('retention')
    .description('Retention of bulk reads')
    .command('purge')
    .description(
      'Delete reads past the retention period now (LMDB; the JetStream side runs in `platewatch run`); audited',
    )
    .action(async (_o: unknown, command: Command) => {
      await withGovernance(command, (gov) => {
        const r = gov.purgeExpired(consoleActor(gov));
        console.log(
          `purged ${r.deleted} read(s) last seen before ${r.cutoff} (${r.keptOnHold} kept on case holds) and ${r.hitsDeleted} hit(s)`,
        );
      });
    });

  program
    .command('nats-authorization')
    .description(
      'Print the nats-server authorization block generated from the alert profiles (for an external NATS cluster)',
    )
    .requiredOption('--service-nkey <publicKey>', 'public NKey of the platewatch service user (full rights)')
    .action(async (o: { serviceNkey: string }, command: Command) => {
      await withGovernance(command, (gov) => {
        process.stdout.write(natsAuthorizationBlock([{ nkey: o.serviceNkey }, ...gov.profiles.natsUsers()]));
      });
    });
}
