import { describe, expect, it } from 'vitest';

import { openApiDocument } from './openapi.js';
import { searchParameters } from './search-params.js';

type Json = Record<string, unknown>;

describe('openApiDocument', () => {
  const doc = openApiDocument() as Json & { paths: Record<string, Record<string, Json>>; components: Json };

  it('is OpenAPI 3.1 with JSON Schema 2020-12 embedded (no per-schema dialect or ids)', () => {
    expect(doc.openapi).toBe('3.1.0');
    const text = JSON.stringify(doc);
    expect(text).not.toContain('"$schema"');
    expect(text).not.toContain('"$id"');
  });

  it('documents each search parameter from the schema that validates it', () => {
    const parameters = doc.paths['/v1/search']?.get?.parameters as Json[];
    expect(parameters.map((p) => p.name)).toEqual(Object.keys(searchParameters));
    const byName = Object.fromEntries(parameters.map((p) => [p.name as string, p]));
    expect(byName.limit).toMatchObject({
      in: 'query',
      schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    });
    expect(byName.sort).toMatchObject({
      schema: { enum: expect.arrayContaining(['relevance', 'firstSeenAt:desc']) },
    });
    expect(byName.year).toMatchObject({ style: 'form', explode: true, schema: { type: 'array' } });
    expect(byName.from).toMatchObject({ schema: { type: 'string', format: 'date' } });
  });

  it('documents the days and the feeds, with the parameters that validate them', () => {
    const day = doc.paths['/v1/days/{date}']?.get as Json & { parameters: Json[] };
    expect(day.parameters.map((p) => p.name)).toEqual(['date', 'span', 'limit', 'offset']);
    expect(day.parameters[0]).toMatchObject({ in: 'path', required: true, schema: { format: 'date' } });
    const days = doc.paths['/v1/days']?.get as Json & { parameters: Json[] };
    expect(days.parameters.map((p) => p.name)).toEqual(['from', 'to', 'limit']);
    for (const path of ['/v1/feed.atom', '/v1/feed.json']) {
      const feed = doc.paths[path]?.get as Json & { parameters: Json[] };
      expect(feed.parameters.map((p) => p.name)).toEqual([
        ...Object.keys(searchParameters).filter(
          (name) => !['sort', 'facets', 'limit', 'offset', 'highlight'].includes(name),
        ),
        'limit',
      ]);
    }
    expect(JSON.stringify(doc.paths['/v1/feed.atom'])).toContain('application/atom+xml');
    expect(JSON.stringify(doc.paths['/v1/feed.json'])).toContain('#/components/schemas/JsonFeed');
  });

  it('resolves every $ref to a component', () => {
    const schemas = (doc.components as { schemas: Json }).schemas;
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(schemas, ref).toHaveProperty(ref as string);
  });

  it('describes the admin bodies as clients write them and guards admin with the bearer token', () => {
    const ingest = doc.paths['/v1/admin/ingest']?.post as Json;
    expect(ingest.security).toEqual([{ adminToken: [] }]);
    const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
    expect(schemas.IngestRequest).toMatchObject({
      type: 'object',
      required: ['urls'],
      additionalProperties: false,
    });
  });
});
