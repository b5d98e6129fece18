import type { Command } from 'commander';

import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { RecognizerOptions } from '../native.js';

/** The validated configuration for a command, from the program's --config option. */
export function configFor(command: Command): Config {
  const root = command.optsWithGlobals() as { config?: string };
  return loadConfig(root.config);
}

/** The recognizer options the native core takes, from the config's recognizer section. */
export function recognizerOptions(config: Config): RecognizerOptions {
  const { modelDir, ...rest } = config.recognizer;
  return modelDir ? { ...rest, modelDir } : rest;
}
