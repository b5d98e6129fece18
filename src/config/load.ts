import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

import { ConfigError } from '../errors.js';
import { configDir } from '../paths.js';
import { type Config, configSchema } from './schema.js';

export const defaultConfigPath = path.join(configDir, 'default.yaml');

type Plain = Record<string, unknown>;

function isPlainObject(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges `over` into `base` key by key; arrays and scalars are replaced whole. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseYaml(text) ?? {};
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
}

function valueAt(root: unknown, keys: PropertyKey[]): unknown {
  let v = root;
  for (const k of keys) v = isPlainObject(v) || Array.isArray(v) ? (v as Plain)[k as string] : undefined;
  return v;
}

function describeIssues(error: z.ZodError, input: unknown, source: string): string {
  const lines = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const at = issue.path.length ? `${issue.path.join('.')}.` : '';
      return `unknown key ${issue.keys.map((k) => `'${at}${k}'`).join(', ')}`;
    }
    const key = issue.path.join('.') || '(root)';
    return `${key}: ${issue.message} (got ${JSON.stringify(valueAt(input, issue.path))})`;
  });
  return `invalid configuration (${source}):\n  ${lines.join('\n  ')}`;
}

/** Validates a configuration object (already merged over the defaults). */
export function parseConfig(input: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(describeIssues(result.error, input, source));
  return result.data;
}

/**
 * Loads the built-in defaults, merges the given file (if any) and then `overrides` over them,
 * and validates the result. Throws a ConfigError naming the bad key and value.
 */
export function loadConfig(file?: string, overrides: unknown = {}): Config {
  const defaults = readYaml(defaultConfigPath);
  const user = file ? readYaml(file) : {};
  if (!isPlainObject(user)) throw new ConfigError(`config file ${file} must hold a YAML mapping at the top level`);
  const merged = deepMerge(deepMerge(defaults, user), overrides);
  return parseConfig(merged, file ?? defaultConfigPath);
}
