export { archivePage, type Archived } from './archive.js';
export { ingest, parseCapturedAt, type IngestOptions, type IngestReport } from './ingest.js';
export { pipelineState, waitForIdle, type PipelineState } from './wait.js';
export { watchQueueDepths } from './depth.js';
