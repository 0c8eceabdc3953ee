export {
  loadSources,
  parseSources,
  SourcesError,
  type Source,
  type SourcesFile,
  type SourcesProblem,
} from './load.js';
export {
  SourceEntrySchema,
  SourcesFileSchema,
  SourceNameSchema,
  RateLimitSchema,
  type RateLimit,
} from './schema.js';
export {
  parseSchedule,
  nominalIntervalMs,
  freshness,
  formatAge,
  MIN_INTERVAL_MS,
  type Schedule,
  type Freshness,
} from './schedule.js';
export {
  expandUrl,
  utcDay,
  assertDay,
  daysBetween,
  startOfDay,
  hasDatePlaceholder,
  unknownPlaceholders,
  PLACEHOLDERS,
} from './template.js';
