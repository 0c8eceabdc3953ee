export { createRedis, type RedisRole } from './redis.js';
export { Producer, type QueueOptions } from './producer.js';
export {
  jobOptions,
  jobIdOf,
  retryDelay,
  JOB_ATTEMPTS,
  DELIVERY_ATTEMPTS,
  BACKOFF_BASE_MS,
  RETRY_LATER_BACKOFF,
} from './options.js';
export {
  createWorker,
  assertHandlersCover,
  type JobHandlers,
  type JobContext,
  type WorkerObserver,
  type WorkerOptions,
  type FinalFailure,
} from './worker.js';
export { UnrecoverableJobError, InvalidJobPayloadError, RetryLaterError } from './errors.js';
export { onParentExit, onShutdown, type ShutdownOptions } from './shutdown.js';
export { queueDepths, type QueueDepth } from './depths.js';
export { withLocks, LockTimeoutError, LockLostError, type LockOptions } from './locks.js';
export { jobNamesOf } from './catalog.js';
