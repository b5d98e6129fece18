/**
 * Test fixtures the project makes itself (tests never need ../shared): plates rendered by
 * tools/synth with Debian's python3, cached per process in a temp folder.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { packageRoot } from '../src/paths.js';

export const PYTHON = '/usr/bin/python3';
let dir: string | undefined;

export function fixtureDir(): string {
  dir ??= mkdtempSync(path.join(tmpdir(), 'platewatch-fixtures-'));
  return dir;
}

/** Renders a frontal plate with the given text and state; returns the PNG's path. */
export function renderPlate(text: string, state = 'ca'): string {
  const out = path.join(fixtureDir(), `plate-${text}-${state}.png`);
  execFileSync(PYTHON, ['-m', 'tools.synth.plate', text, out, '--state', state], { cwd: packageRoot });
  return out;
}

const runFile = promisify(execFile);
const bin = path.join(packageRoot, 'bin', 'platewatch.js');

/** Runs the platewatch command (compiled dist/) from the package root; never throws on a non-zero exit. */
export async function platewatch(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await runFile(process.execPath, [bin, ...args], { cwd: packageRoot, timeout: 60_000 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}
