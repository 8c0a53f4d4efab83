#!/usr/bin/env node
// The switchyard CLI. Registers tsx so the TypeScript sources (and switchyard.config.ts) load
// directly, then hands over to src/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
