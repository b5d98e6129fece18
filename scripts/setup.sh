#!/usr/bin/env bash
# Sets platewatch up on a fresh Debian 12 machine, and is quick when nothing changed:
# Debian packages (scripts/setup-system.sh), npm packages (npm ci), native addon and TypeScript build.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-system.sh

# npm ci only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi

echo "setup: building the native addon (cmake-js, offline against the local Node headers)"
npm run --silent build:native > build-native.log 2>&1 || { cat build-native.log; exit 1; }
echo "setup: compiling TypeScript"
npm run --silent build:ts
