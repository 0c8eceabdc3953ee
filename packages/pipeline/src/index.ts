export { archivePage, fetchItem, type Archived, type ArchiveDeps } from './archive.js';
export { ingest, parseCapturedAt, type IngestOptions, type IngestReport } from './ingest.js';
export { reparse, reparseRun, type ReparseFilter } from './reparse.js';
export { backfill, backfillRunId, type BackfillPlan } from './backfill.js';
export { fetchSourcesNow } from './run-sources.js';
export {
  Runs,
  newRunId,
  waitForRun,
  describeRun,
  failedCount,
  fetchesSettled,
  RunTimeoutError,
  RUN_TTL_MS,
  type RunKind,
  type RunState,
  type FetchOutcome,
  type FailureDetail,
  type FailureStage,
  type RunFailure,
} from './runs.js';
export { SourceState, type SourceStatus } from './source-state.js';
export { keys as stateKeys, redisOf } from './keys.js';
export { pipelineState, waitForIdle, type PipelineState } from './wait.js';
export { watchQueueDepths } from './depth.js';
export { jobGivenUp, pageParsed, trackIndexing } from './tracking.js';
export { Watches, WATCHES_MAX, TooManyWatchesError, type SecretWatch } from './watches.js';
export {
  signatureHeader,
  verifySignature,
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_S,
  type SignatureCheck,
} from './signature.js';
