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
