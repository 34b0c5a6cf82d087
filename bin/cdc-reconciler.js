#!/usr/bin/env node
// Entry point of the `cdc-reconciler` command. Runs the compiled build when there is one (an installed
// package), else the TypeScript sources directly: Node 24 strips the types itself, so a checkout needs no build.
import { existsSync } from 'node:fs';

// kafkajs 2.2.4 schedules a timer with a negative delay in its request queue, which Node 24 reports
// as a TimeoutNegativeWarning (the timer fires at once, as kafkajs intends). Only that one is dropped.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'TimeoutNegativeWarning' || warning?.name === 'TimeoutNegativeWarning') return;
  emitWarning(warning, ...rest);
};

const built = new URL('../dist/main.js', import.meta.url);
const entry = existsSync(built) ? built : new URL('../src/main.ts', import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
