#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step), so `npm install && npm start` is the whole setup.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/surfaces/cli/main.ts');
process.exitCode = await main(process.argv);
