import { createLogger } from '@paperwire/observability';
import { RawStore } from '@paperwire/rawstore';
import { tempDir, uniquePrefix, type TempDir } from '@paperwire/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { QueueAccess } from './admin/queues.js';
import { QEC } from './testing/fixture.js';
import { getJson, seededSqliteIndex, serve, type Running, type SeededIndex } from './testing/serve.js';

const TOKEN = 'test-admin-token-0123456789';
const logger = createLogger('gateway-watches-test', 'silent');
const auth = { authorization: `Bearer ${TOKEN}` };

describe('/v1/admin/watches', () => {
  const redisUrl = inject('redisUrl');
  let seeded: SeededIndex;
  let raw: TempDir;
  let queues: QueueAccess;
  let gateway: Running;

  const call = (method: string, path: string, body?: unknown) =>
    getJson(`${gateway.base}/v1/admin/watches${path}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    seeded = await seededSqliteIndex([QEC]);
    raw = await tempDir('gateway-watches-raw');
    queues = new QueueAccess({ redisUrl, prefix: uniquePrefix('gateway-watches'), logger });
    gateway = await serve({
      index: seeded.index,
      admin: {
        token: TOKEN,
        queues,
        store: new RawStore(raw.path),
        logger,
        egress: { allowHosts: new Set(['127.0.0.1']) },
      },
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await queues?.close();
    await seeded?.close();
    await raw?.remove();
  });

  it('creates a watch, returns its secret once, lists, reads and deletes it', async () => {
    const created = await call('POST', '', {
      query: 'quantum error correction',
      filters: {
        hasCode: true,
        minUpvotes: 5,
        year: [2025, 2024],
        authors: 'Ada Lovelace',
        since: '2025-11-01',
      },
      url: 'http://127.0.0.1:9/hook',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(id).toMatch(/^w[0-9a-f]{24}$/);
    expect(created.headers.get('location')).toBe(`/v1/admin/watches/${id}`);
    expect(created.body).toMatchObject({
      query: 'quantum error correction',
      // The engine's filters, as /v1/search makes them of the same parameters.
      filters: {
        hasCode: true,
        minUpvotes: 5,
        years: [2025, 2024],
        authors: ['ada-lovelace'],
        since: '2025-11-01T00:00:00.000Z',
      },
      url: 'http://127.0.0.1:9/hook',
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);

    const { secret: _secret, ...shown } = created.body;
    const read = await call('GET', `/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(shown);
    const listed = await call('GET', '');
    expect(listed.body.watches).toContainEqual(shown);

    const deleted = await fetch(`${gateway.base}/v1/admin/watches/${id}`, {
      method: 'DELETE',
      headers: auth,
    });
    expect(deleted.status).toBe(204);
    expect((await call('GET', `/${id}`)).status).toBe(404);
    const again = await call('DELETE', `/${id}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: 'not_found', message: `no watch with id ${id}` });
    expect((await call('GET', '/not-a-watch-id')).status).toBe(404);
  });

  it.each([
    ['localhost (loopback by name)', 'http://localhost:9/hook', /refused localhost \(.*\): loopback address/],
    ['a private address', 'http://10.0.0.7/hook', /refused 10\.0\.0\.7: private address/],
    ['the metadata address', 'http://169.254.169.254/latest', /metadata address/],
    ['an IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook', /loopback address/],
    ['a name that does not resolve', 'http://no-such-host.invalid/hook', /does not resolve/],
    ['another scheme', 'ftp://example.org/hook', /only http and https/],
    ['credentials', 'http://user:pw@127.0.0.1:9/hook', /credentials/],
    ['no URL at all', 'not a url', /absolute http\(s\) URL/],
  ])('refuses a webhook to %s with a 400 naming url', async (_case, url, message) => {
    const answer = await call('POST', '', { query: 'quantum', url });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('bad_request');
    const issues = answer.body.issues as { parameter: string; message: string }[];
    expect(issues).toHaveLength(1);
    expect(issues[0]?.parameter).toBe('url');
    expect(issues[0]?.message).toMatch(message);
    expect(answer.body.message).toMatch(message);
  });

  it('validates filters as /v1/search does, naming each one', async () => {
    const answer = await call('POST', '', {
      query: 'quantum',
      url: 'http://127.0.0.1:9/hook',
      filters: { minUpvotes: -1, hasCode: 'yes', colour: 'red' },
    });
    expect(answer.status).toBe(400);
    const parameters = (answer.body.issues as { parameter: string }[]).map((i) => i.parameter).sort();
    expect(parameters).toEqual(['filters.colour', 'filters.hasCode', 'filters.minUpvotes']);

    const range = await call('POST', '', {
      url: 'http://127.0.0.1:9/hook',
      filters: { from: '2025-02-01', to: '2025-01-01' },
    });
    expect(range.status).toBe(400);
    expect(range.body.issues).toEqual([
      { parameter: 'filters.from', message: 'from (2025-02-01) must be on or before to (2025-01-01)' },
    ]);

    const unknownField = await call('POST', '', { url: 'http://127.0.0.1:9/hook', secret: 'mine' });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.issues).toEqual([{ parameter: 'secret', message: 'unknown field' }]);
    const noUrl = await call('POST', '', { query: 'quantum' });
    expect(noUrl.status).toBe(400);
    expect((noUrl.body.issues as { parameter: string }[])[0]?.parameter).toBe('url');
  });

  it('needs the admin token', async () => {
    const answer = await getJson(`${gateway.base}/v1/admin/watches`);
    expect(answer.status).toBe(401);
  });
});
