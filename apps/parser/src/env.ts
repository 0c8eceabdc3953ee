import { commonEnv, parseEnv, redisEnv, workerEnv } from '@paperwire/config';

export const env = parseEnv({ ...commonEnv, ...redisEnv, ...workerEnv }, process.env);
