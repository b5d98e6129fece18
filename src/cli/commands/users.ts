import type { Command } from 'commander';

import type { Role } from '../../governance/roles.js';
import { readSecret } from '../secrets.js';
import { loginAs, withGovernance } from './governanceCli.js';

export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description(
      'Users and roles under General Order 41-11 (passwords from PLATEWATCH_PASSWORD / PLATEWATCH_NEW_PASSWORD or the terminal)',
    );

  users
    .command('bootstrap')
    .description('Create the first ALPR administrator (only when there are no users at all)')
    .requiredOption('--username <name>', 'user name (a-z 0-9 . _ -)')
    .requiredOption('--training-date <YYYY-MM-DD>', 'date the administrator completed ALPR training')
    .option('--display-name <text>', 'full name and rank')
    .action(async (o: { username: string; trainingDate: string; displayName?: string }, command: Command) => {
      await withGovernance(command, async (gov) => {
        const password = await readSecret('PLATEWATCH_NEW_PASSWORD', `new password for ${o.username}: `);
        const view = await gov.users.bootstrapAdministrator({
          username: o.username,
          displayName: o.displayName ?? o.username,
          trainingDate: o.trainingDate,
          password,
        });
        console.log(`administrator ${view.username} created (training ${view.trainingDate})`);
      });
    });

  users
    .command('add')
    .description('Designate a trained user (administrator only)')
    .requiredOption('--as <admin>', 'the administrator doing it')
    .requiredOption('--username <name>', 'new user name')
    .requiredOption('--role <role>', 'operator, supervisor, administrator, records, chief or auditor')
    .requiredOption('--training-date <YYYY-MM-DD>', 'date the user completed ALPR training')
    .option('--display-name <text>', 'full name and rank')
    .option('--supervisor <name>', "the user's supervisor (told about their stale hot-list entries)")
    .action(
      async (
        o: {
          as: string;
          username: string;
          role: Role;
          trainingDate: string;
          displayName?: string;
          supervisor?: string;
        },
        command: Command,
      ) => {
        await withGovernance(command, async (gov) => {
          const actor = await loginAs(gov, o.as);
          const password = await readSecret('PLATEWATCH_NEW_PASSWORD', `first password for ${o.username}: `);
          const view = await gov.users.designate(actor, {
            username: o.username,
            displayName: o.displayName ?? o.username,
            role: o.role,
            trainingDate: o.trainingDate,
            password,
            supervisor: o.supervisor ?? null,
          });
          console.log(
            `${view.role} ${view.username} designated by ${view.designatedBy} (training ${view.trainingDate})`,
          );
        });
      },
    );

  users
    .command('list')
    .description('List users (administrator, chief, auditor)')
    .requiredOption('--as <user>', 'who is asking')
    .option('--json', 'print JSON')
    .action(async (o: { as: string; json?: boolean }, command: Command) => {
      await withGovernance(command, async (gov) => {
        const list = gov.users.list(await loginAs(gov, o.as));
        if (o.json) console.log(JSON.stringify(list, null, 2));
        else
          for (const u of list) {
            const flags = [u.active ? '' : 'inactive', u.locked ? 'locked' : ''].filter(Boolean).join(',');
            console.log(`${u.username.padEnd(20)} ${u.role.padEnd(14)} trained ${u.trainingDate} ${flags}`);
          }
      });
    });

  users
    .command('passwd')
    .description('Change your own password (current from PLATEWATCH_PASSWORD, new from PLATEWATCH_NEW_PASSWORD)')
    .requiredOption('--as <user>', 'your user name')
    .action(async (o: { as: string }, command: Command) => {
      await withGovernance(command, async (gov) => {
        const current = await readSecret('PLATEWATCH_PASSWORD', `current password for ${o.as}: `);
        const { token } = await gov.users.login(o.as, current);
        const next = await readSecret('PLATEWATCH_NEW_PASSWORD', 'new password: ');
        await gov.users.changePassword(gov.users.authenticate(token), current, next);
        console.log('password changed');
      });
    });

  users
    .command('unlock')
    .description('Unlock a locked account (administrator only)')
    .argument('<username>')
    .requiredOption('--as <admin>', 'the administrator doing it')
    .action(async (username: string, o: { as: string }, command: Command) => {
      await withGovernance(command, async (gov) => {
        gov.users.unlock(await loginAs(gov, o.as), username);
        console.log(`${username} unlocked`);
      });
    });
}
