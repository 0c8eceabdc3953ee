import {
  DayResponseSchema,
  DaysResponseSchema,
  ErrorResponseSchema,
  PaperIdSchema,
  PaperSchema,
  SearchResponseSchema,
  StatsResponseSchema,
  WatchSchema,
} from '@paperwire/schema';
import { z } from 'zod';

import { ATOM_TYPE, JSON_FEED_TYPE, JsonFeedSchema } from '../feeds/feeds.js';
import type { QueryParameters } from '../http/query.js';
import { calendarDate, dayParameters, daysParameters } from './days-params.js';
import { feedParameters } from './feed-params.js';
import {
  CreatedWatchSchema,
  FacetsResponseSchema,
  HealthResponseSchema,
  IngestBodySchema,
  IngestResponseSchema,
  ReadyResponseSchema,
  ReparseBodySchema,
  ReparseResponseSchema,
  ReplayFailedBodySchema,
  ReplayFailedResponseSchema,
  SimilarResponseSchema,
  WatchBodySchema,
  WatchListSchema,
} from './schemas.js';
import { searchParameters, similarParameters } from './search-params.js';

type JsonSchema = Record<string, unknown>;

/** Schemas the document names in `components`, so each appears once. */
const COMPONENTS = {
  Paper: PaperSchema,
  SearchResponse: SearchResponseSchema,
  SimilarResponse: SimilarResponseSchema,
  FacetsResponse: FacetsResponseSchema,
  StatsResponse: StatsResponseSchema,
  DaysResponse: DaysResponseSchema,
  DayResponse: DayResponseSchema,
  JsonFeed: JsonFeedSchema,
  ErrorResponse: ErrorResponseSchema,
  IngestRequest: IngestBodySchema,
  IngestResponse: IngestResponseSchema,
  ReparseRequest: ReparseBodySchema,
  ReparseResponse: ReparseResponseSchema,
  ReplayFailedRequest: ReplayFailedBodySchema,
  ReplayFailedResponse: ReplayFailedResponseSchema,
  WatchRequest: WatchBodySchema,
  Watch: WatchSchema,
  CreatedWatch: CreatedWatchSchema,
  WatchList: WatchListSchema,
} as const satisfies Record<string, z.ZodType>;
type ComponentName = keyof typeof COMPONENTS;

function components(): Record<string, JsonSchema> {
  // Request bodies are described as clients write them, responses as the gateway writes them.
  const output = z.registry<{ id: string }>();
  const input = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) {
    (id.endsWith('Request') ? input : output).add(schema, { id });
  }
  const uri = (id: string) => `#/components/schemas/${id}`;
  const schemas = {
    ...z.toJSONSchema(output, { uri, io: 'output' }).schemas,
    ...z.toJSONSchema(input, { uri, io: 'input' }).schemas,
  };
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, embedded(schema)]));
}

/** A JSON Schema as OpenAPI 3.1 embeds it: the dialect is the document's, the id is its place. */
function embedded(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: ComponentName, description: string) => ({
  description,
  content: { 'application/json': { schema: ref(name) } },
});
const error = (description: string) => json('ErrorResponse', description);

function queryParameters(parameters: QueryParameters): JsonSchema[] {
  return Object.entries(parameters).map(([name, spec]) => ({
    name,
    in: 'query',
    required: false,
    description: spec.list ? `${spec.description} Comma-separated or repeated.` : spec.description,
    schema: embedded(z.toJSONSchema(spec.schema, { io: 'input' })),
    ...(spec.list ? { style: 'form', explode: true } : {}),
    ...(spec.example !== undefined ? { example: spec.list ? spec.example.split(',') : spec.example } : {}),
  }));
}

const ID_PARAMETER = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'A paper id: arxiv-… (from an arXiv id) or title-… (from the normalized title).',
  schema: embedded(z.toJSONSchema(PaperIdSchema, { io: 'input' })),
};

const DATE_PARAMETER = {
  name: 'date',
  in: 'path',
  required: true,
  description: 'A UTC calendar date, YYYY-MM-DD: the day, or a day of the week or month (`span`).',
  schema: embedded(z.toJSONSchema(calendarDate('date'), { io: 'input' })),
  example: '2025-11-03',
};

const TOO_MANY = {
  description: 'The client spent its request budget; Retry-After says when to try again.',
  headers: {
    'Retry-After': { schema: { type: 'integer' }, description: 'Seconds until the budget resets.' },
  },
  content: { 'application/json': { schema: ref('ErrorResponse') } },
};
const BUSY = {
  description:
    'Every search thread is busy and the queue of waiting searches is full; Retry-After says when to try again.',
  headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } },
  content: { 'application/json': { schema: ref('ErrorResponse') } },
};
const INVALID = error('A parameter is unknown, malformed or out of range; `issues` names each one.');
const ADMIN_ERRORS = {
  '400': INVALID,
  '401': error('No admin token, or a wrong one.'),
  '403': error('Admin is disabled (the gateway runs without ADMIN_TOKEN).'),
  '413': error('The body is larger than 100 kB.'),
  '415': error('The body is not JSON.'),
  '429': TOO_MANY,
  '503': error('The job queues (Redis) are unavailable.'),
};

function adminOperation(summary: string, request: ComponentName, response: ComponentName, status: string) {
  return {
    post: {
      tags: ['admin'],
      summary,
      security: [{ adminToken: [] }],
      requestBody: { required: false, content: { 'application/json': { schema: ref(request) } } },
      responses: { [status]: json(response, summary), ...ADMIN_ERRORS },
    },
  };
}

/** The OpenAPI 3.1 description of the gateway, from the schemas its handlers validate with. */
export function openApiDocument(): JsonSchema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'paperwire',
      version: '1.0.0',
      description:
        'Search over research papers collected from paper digests. Every parameter is validated: an unknown, malformed or out-of-range one is a 400 whose `issues` name each bad parameter.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'search', description: 'Searching and reading papers.' },
      {
        name: 'days',
        description:
          'Papers by the day they were first listed: the UTC date of their first sighting (firstSeenAt).',
      },
      { name: 'feeds', description: 'Atom and JSON Feed of any search, newest first seen first.' },
      { name: 'admin', description: 'Feeding the pipeline; needs ADMIN_TOKEN.' },
      { name: 'operations', description: 'Probes and metrics.' },
    ],
    paths: {
      '/v1/search': {
        get: {
          tags: ['search'],
          summary: 'Search papers',
          parameters: queryParameters(searchParameters),
          responses: {
            '200': {
              ...json('SearchResponse', 'A page of hits.'),
              headers: {
                'x-paperwire-cache': {
                  schema: { type: 'string', enum: ['hit', 'miss'] },
                  description:
                    'Whether the answer came from the result cache, which holds answers until the index changes.',
                },
              },
            },
            '400': INVALID,
            '429': TOO_MANY,
            '503': BUSY,
          },
        },
      },
      '/v1/papers/{id}': {
        get: {
          tags: ['search'],
          summary: 'One paper',
          parameters: [ID_PARAMETER],
          responses: {
            '200': json('Paper', 'The paper.'),
            '301': {
              description: 'The id was merged into another record; Location is where it lives now.',
              headers: { Location: { schema: { type: 'string' } } },
            },
            '400': INVALID,
            '404': error('No paper has this id.'),
            '429': TOO_MANY,
          },
        },
      },
      '/v1/papers/{id}/similar': {
        get: {
          tags: ['search'],
          summary: 'Papers close to one paper in title and abstract',
          parameters: [ID_PARAMETER, ...queryParameters(similarParameters)],
          responses: {
            '200': json('SimilarResponse', 'Similar papers, the paper itself excluded.'),
            '503': BUSY,
            '301': {
              description:
                'The id was merged into another record; Location is the similar papers of that one.',
              headers: { Location: { schema: { type: 'string' } } },
            },
            '400': INVALID,
            '404': error('No paper has this id.'),
            '429': TOO_MANY,
          },
        },
      },
      '/v1/facets': {
        get: {
          tags: ['search'],
          summary: 'Paper counts over the whole index by year, hasCode and source',
          responses: {
            '200': json('FacetsResponse', 'Counts per facet value.'),
            '429': TOO_MANY,
            '503': BUSY,
          },
        },
      },
      '/v1/stats': {
        get: {
          tags: ['search'],
          summary: 'How many papers the index holds',
          responses: { '200': json('StatsResponse', 'Index statistics.'), '429': TOO_MANY },
        },
      },
      '/v1/days': {
        get: {
          tags: ['days'],
          summary: 'The days with papers, newest first, with how many papers were first listed on each',
          parameters: queryParameters(daysParameters),
          responses: {
            '200': json('DaysResponse', 'Days and their paper counts.'),
            '400': INVALID,
            '429': TOO_MANY,
            '503': BUSY,
          },
        },
      },
      '/v1/days/{date}': {
        get: {
          tags: ['days'],
          summary: 'The papers first listed on a day (or in its week or month)',
          description:
            'Ordered by the upvotes each paper showed on the day it was first listed (dayUpvotes), else by its latest count, highest first, papers without a count last; ties go to the paper seen first. `previous` and `next` are the nearest days with papers outside the span.',
          parameters: [DATE_PARAMETER, ...queryParameters(dayParameters)],
          responses: {
            '200': json('DayResponse', 'One page of the papers of the span.'),
            '400': INVALID,
            '429': TOO_MANY,
            '503': BUSY,
          },
        },
      },
      '/v1/feed.atom': {
        get: {
          tags: ['feeds'],
          summary: 'An Atom feed of a search',
          description:
            'The papers a search with the same q and filters finds, newest first seen first; each entry is dated when paperwire first saw the paper.',
          parameters: queryParameters(feedParameters),
          responses: {
            '200': {
              description: 'An Atom 1.0 feed (RFC 4287).',
              content: { [ATOM_TYPE]: { schema: { type: 'string' } } },
            },
            '400': INVALID,
            '429': TOO_MANY,
            '503': BUSY,
          },
        },
      },
      '/v1/feed.json': {
        get: {
          tags: ['feeds'],
          summary: 'A JSON Feed 1.1 of a search',
          description: 'The same entries as /v1/feed.atom, as JSON Feed 1.1.',
          parameters: queryParameters(feedParameters),
          responses: {
            '200': {
              description: 'A JSON Feed 1.1 document.',
              content: { [JSON_FEED_TYPE]: { schema: ref('JsonFeed') } },
            },
            '400': INVALID,
            '429': TOO_MANY,
            '503': BUSY,
          },
        },
      },
      '/v1/admin/ingest': adminOperation('Queue pages to fetch', 'IngestRequest', 'IngestResponse', '202'),
      '/v1/admin/reparse': adminOperation(
        'Parse archived pages again',
        'ReparseRequest',
        'ReparseResponse',
        '202',
      ),
      '/v1/admin/replay-failed': adminOperation(
        'Run failed jobs again',
        'ReplayFailedRequest',
        'ReplayFailedResponse',
        '200',
      ),
      '/v1/admin/watches': {
        post: {
          ...adminOperation('Make a watch (a standing query)', 'WatchRequest', 'CreatedWatch', '201').post,
          requestBody: { required: true, content: { 'application/json': { schema: ref('WatchRequest') } } },
        },
        get: {
          tags: ['admin'],
          summary: 'List the watches',
          security: [{ adminToken: [] }],
          responses: { '200': json('WatchList', 'Every watch, without secrets.'), ...ADMIN_ERRORS },
        },
      },
      '/v1/admin/watches/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        get: {
          tags: ['admin'],
          summary: 'Read a watch',
          security: [{ adminToken: [] }],
          responses: {
            '200': json('Watch', 'The watch, without its secret.'),
            '404': error('No such watch.'),
            ...ADMIN_ERRORS,
          },
        },
        delete: {
          tags: ['admin'],
          summary: 'Delete a watch',
          security: [{ adminToken: [] }],
          responses: {
            '204': { description: 'Deleted; nothing more is delivered for it.' },
            '404': error('No such watch.'),
            ...ADMIN_ERRORS,
          },
        },
      },
      '/healthz': {
        get: {
          tags: ['operations'],
          summary: 'Liveness',
          responses: {
            '200': { description: 'The process runs.', content: jsonSchema(HealthResponseSchema) },
          },
        },
      },
      '/readyz': {
        get: {
          tags: ['operations'],
          summary: 'Readiness: the search engine answers',
          responses: {
            '200': { description: 'Ready.', content: jsonSchema(ReadyResponseSchema) },
            '503': {
              description: 'The search engine does not answer.',
              content: jsonSchema(ReadyResponseSchema),
            },
          },
        },
      },
      '/metrics': {
        get: {
          tags: ['operations'],
          summary: 'Prometheus metrics',
          responses: {
            '200': { description: 'Metrics in the Prometheus text format.', content: { 'text/plain': {} } },
          },
        },
      },
    },
    components: {
      schemas: components(),
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'ADMIN_TOKEN, as configured on the gateway.',
        },
      },
    },
  };
}

function jsonSchema(schema: z.ZodType) {
  return { 'application/json': { schema: embedded(z.toJSONSchema(schema, { io: 'output' })) } };
}
