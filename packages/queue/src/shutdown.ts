import type { Logger } from '@paperwire/observability';

export interface ShutdownOptions {
  /** How long `close` may take before the process exits anyway. */
  timeoutMs?: number;
  /** Exits the process; replaced in tests. */
  exit?: (code: number) => void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Calls `stop` when the process that started this one over an IPC channel (`paperwire up`) is
 * gone, however it went: even a SIGKILLed supervisor leaves no app running behind it.
 */
export function onParentExit(stop: () => void): void {
  if (process.channel) process.once('disconnect', stop);
}

/**
 * On SIGTERM or SIGINT (or the exit of a supervising parent, see `onParentExit`), runs `close` once (workers finish their active jobs, connections close)
 * and exits 0 when it succeeds. A second signal, a failing close or one that outlasts the timeout
 * exits non-zero at once; jobs still active then are retried by another worker after their lock
 * expires.
 */
export function onShutdown(logger: Logger, close: () => Promise<void>, opts: ShutdownOptions = {}): void {
  const timeoutMs = opts.timeoutMs ?? 25_000;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let closing = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal during shutdown; exiting now');
      exit(130);
      return;
    }
    closing = true;
    logger.info({ signal, timeoutMs }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out; exiting');
      exit(1);
    }, timeoutMs);
    close().then(
      () => {
        clearTimeout(timer);
        logger.info('shut down cleanly');
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(timer);
        logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  onParentExit(() => onSignal('SIGTERM'));
}
