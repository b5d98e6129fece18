/**
 * The platewatch command line. Each command lives in its own file under commands/ and
 * registers itself here with one line.
 */
import { Command, CommanderError } from 'commander';

import { PlatewatchError } from '../errors.js';
import { registerApi } from './commands/api.js';
import { registerAudit } from './commands/audit.js';
import { registerBench } from './commands/bench.js';
import { registerCapture } from './commands/capture.js';
import { registerEval } from './commands/eval.js';
import { registerHotlist } from './commands/hotlist.js';
import { registerPolicyCommands } from './commands/policy.js';
import { registerRecognize } from './commands/recognize.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerSharing } from './commands/sharing.js';
import { registerSubscribe } from './commands/subscribe.js';
import { registerUsers } from './commands/users.js';

export function buildProgram(): Command {
  const program = new Command('platewatch')
    .description('Automated licence plate reader: cameras -> plate reads -> hot-list hits -> dispatch')
    .option('-c, --config <file>', 'configuration file merged over config/default.yaml')
    .showHelpAfterError()
    .exitOverride();
  registerRun(program);
  registerSubscribe(program);
  registerHotlist(program);
  registerRecognize(program);
  registerBench(program);
  registerCapture(program);
  registerUsers(program);
  registerAudit(program);
  registerPolicyCommands(program);
  registerSharing(program);
  registerReport(program);
  registerApi(program);
  registerEval(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit "with an error" by design; commander already printed the text.
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof PlatewatchError) {
      console.error(`platewatch: ${err.message} [${err.code}]`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}
