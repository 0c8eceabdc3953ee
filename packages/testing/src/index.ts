import './provided-context.js';

export { startRedis, redisAnswers, type RedisHandle } from './redis.js';
export { freePort } from './ports.js';
export { waitFor, type WaitForOptions } from './wait.js';
export { uniquePrefix } from './names.js';
export { tempDir, repoRoot, type TempDir } from './fs.js';
