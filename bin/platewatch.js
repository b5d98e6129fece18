#!/usr/bin/env node
// The platewatch command: runs the compiled TypeScript (npm run build:ts writes dist/).
import { main } from '../dist/src/cli/main.js';

main(process.argv).catch((err) => {
  console.error(`platewatch: ${err?.message ?? err}`);
  process.exitCode = process.exitCode || 1;
});
