import { readFileSync } from 'node:fs';

import express from 'express';

/**
 * The floor the gateway is compared with: Express alone, on a process of its own as the gateway
 * is, answering every request with the same JSON body (a search answer captured from the gateway,
 * serialized again on each request as the gateway serializes each answer it computes). It
 * reports its port over the IPC channel and stops when that channel closes, so it never
 * outlives the benchmark.
 */
const bodyFile = process.argv[2];
if (bodyFile === undefined) throw new Error('usage: bare-server.ts <json-body-file>');
const body: unknown = JSON.parse(readFileSync(bodyFile, 'utf8'));

const app = express();
app.disable('x-powered-by');
app.use((_req, res) => {
  res.json(body);
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('disconnect', () => process.exit(0));
