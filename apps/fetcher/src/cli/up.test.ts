import { describe, expect, it } from 'vitest';

import { workerMetricsPorts } from './up.js';

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
