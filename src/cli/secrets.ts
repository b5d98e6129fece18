/**
 * Reading a secret for a CLI command: from an environment variable (scripts, CI) or typed at a
 * terminal without echo, or one line of standard input. Never from a command-line argument (those
 * show in `ps` and shell history), never printed.
 */
import { createInterface } from 'node:readline';

import { AuthError } from '../errors.js';

export async function readSecret(envName: string, prompt: string): Promise<string> {
  const fromEnv = process.env[envName];
  if (fromEnv) return fromEnv;
  const input = process.stdin;
  if (input.isTTY) {
    process.stderr.write(prompt);
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      input.setRawMode(true);
      input.resume();
      input.setEncoding('utf8');
      const onData = (ch: string) => {
        for (const c of ch) {
          if (c === '\r' || c === '\n') {
            done();
            resolve(value);
            return;
          }
          if (c === '\u0003') {
            done();
            reject(new AuthError('ERR_CANCELLED', 'cancelled'));
            return;
          }
          if (c === '\u007f') value = value.slice(0, -1);
          else value += c;
        }
      };
      const done = () => {
        input.setRawMode(false);
        input.pause();
        input.off('data', onData);
        process.stderr.write('\n');
      };
      input.on('data', onData);
    });
  }
  const rl = createInterface({ input });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  throw new AuthError('ERR_NO_PASSWORD', `no password: set ${envName} or type it at a terminal`);
}
