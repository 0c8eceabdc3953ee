import { createLogger } from '@paperwire/observability';

import { onShutdown } from '../shutdown.js';

/** A process that shuts down like an app: `clean`, `hang` (close never ends) or `fail`. */
const mode = process.argv[2] ?? 'clean';
const logger = createLogger('shutdown-child', 'info');
// Stands in for the app's workers and servers, which keep the process alive until closed.
const work = setInterval(() => {}, 1_000);

onShutdown(
  logger,
  async () => {
    if (mode === 'hang') return new Promise<void>(() => {});
    clearInterval(work);
    if (mode === 'fail') throw new Error('close failed');
  },
  { timeoutMs: mode === 'hang' ? Number(process.argv[3] ?? 200) : 5_000 },
);
logger.info('ready');
