import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'platewatch') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`platewatch package root not found above ${start}`);
    dir = parent;
  }
}

/** The installed package's root folder (works from src/ under vitest and from dist/src/ when built). */
export const packageRoot = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
export const modelDir = path.join(packageRoot, 'models');
export const configDir = path.join(packageRoot, 'config');
