#!/usr/bin/env node
// Entry point of the `cdc-reconciler` command. Runs the compiled build when there is one (an installed
// package), else the TypeScript sources directly: Node 24 strips the types itself, so a checkout needs no build.
import { existsSync } from 'node:fs';

const built = new URL('../dist/main.js', import.meta.url);
const entry = existsSync(built) ? built : new URL('../src/main.ts', import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
