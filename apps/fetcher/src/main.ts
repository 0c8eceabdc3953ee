import { onShutdown } from '@paperwire/queue';

import { loadEnv } from './env.js';
import { startFetcher } from './fetcher.js';

const fetcher = await startFetcher(loadEnv());
onShutdown(fetcher.logger, () => fetcher.close());
