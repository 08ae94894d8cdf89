#!/usr/bin/env node
// `breakglass` command: runs the TypeScript sources through tsx's loader so a checkout works without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
