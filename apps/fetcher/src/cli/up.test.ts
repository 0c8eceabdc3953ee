import { createServer } from 'node:net';

import { freePort, waitFor } from '@paperwire/testing';
import { describe, expect, it } from 'vitest';

import { openProducer, portTaken, workerMetricsPorts } from './up.js';

describe('workerMetricsPorts', () => {
  it('gives each worker app its own port from METRICS_PORT, 9101 by default', () => {
    expect(workerMetricsPorts(undefined)).toEqual({ fetcher: 9101, parser: 9102, indexer: 9103 });
    expect(workerMetricsPorts('9200')).toEqual({ fetcher: 9200, parser: 9201, indexer: 9202 });
    expect(workerMetricsPorts('0')).toEqual({ fetcher: 0, parser: 0, indexer: 0 });
  });

  it('refuses a value that is not a port, naming the variable', () => {
    expect(() => workerMetricsPorts('abc')).toThrow(/METRICS_PORT/);
    expect(() => workerMetricsPorts('70000')).toThrow(/METRICS_PORT/);
  });
});

describe('portTaken', () => {
  it('tells a port something listens on from a free one, and leaves the free one free', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '0.0.0.0', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      expect(await portTaken(port)).toBe(true);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
    expect(await portTaken(port)).toBe(false);
    expect(await portTaken(port)).toBe(false);
  });
});

describe('openProducer', () => {
  it('says on the terminal when its Redis cannot be reached', async () => {
    const lines: string[] = [];
    // A port nothing listens on.
    const producer = openProducer(
      `redis://127.0.0.1:${await freePort()}`,
      'up-test',
      (l) => void lines.push(l),
    );
    try {
      await waitFor(() => lines.find((l) => l.startsWith('warn: redis connection error: ')), {
        what: 'a redis connection warning',
      });
      expect(lines[0]).toMatch(/ECONNREFUSED/);
    } finally {
      await producer.close();
      producer.connection.disconnect();
    }
  });
});
