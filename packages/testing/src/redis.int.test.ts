import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';

import { redisAnswers } from './index.js';

describe('global setup', () => {
  it('provides the URL of a Redis that answers', async () => {
    const url = inject('redisUrl');
    expect(url).toMatch(/^rediss?:\/\//);
    expect(await redisAnswers(url)).toBe(true);
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    try {
      await client.set('paperwire-testing-probe', 'ok', 'PX', 10_000);
      expect(await client.get('paperwire-testing-probe')).toBe('ok');
    } finally {
      client.disconnect();
    }
  });

  it('reports a Redis that does not answer', async () => {
    expect(await redisAnswers('redis://127.0.0.1:1')).toBe(false);
  });
});
