/**
 * A separate writer process for the SQLite concurrency test: opens its own connection to the
 * index file, announces it is ready, waits for the go file, then upserts its sightings one by
 * one. Arguments: index path, sightings JSON file, go file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Paper } from '@paperwire/schema';

import { createSqliteIndex } from '../sqlite.js';

const [indexPath, sightingsPath, goPath] = process.argv.slice(2);
if (!indexPath || !sightingsPath || !goPath)
  throw new Error('usage: upsert-process <index> <sightings.json> <go-file>');

const sightings = JSON.parse(readFileSync(sightingsPath, 'utf8')) as Paper[];
const index = createSqliteIndex({ path: indexPath });
process.stdout.write('ready\n');
const deadline = Date.now() + 30_000;
while (!existsSync(goPath)) {
  if (Date.now() > deadline) throw new Error(`no go file at ${goPath} within 30s`);
  await sleep(5);
}
for (const paper of sightings) await index.upsert([paper]);
await index.close();
process.stdout.write('done\n');
