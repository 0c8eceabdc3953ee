import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The environment the test helpers read. Values are taken as given; an empty string means unset,
 * as in most CI env files.
 */
function read(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

function redisUrl(): string | undefined {
  const raw = read('REDIS_URL');
  if (raw === undefined) return undefined;
  let protocol: string;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    throw new Error(`REDIS_URL is not a URL: ${raw}`);
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new Error(`REDIS_URL must be a redis:// or rediss:// URL, got ${raw}`);
  }
  return raw;
}

export const testEnv = {
  REDIS_URL: redisUrl(),
  DOCKER_HOST: read('DOCKER_HOST'),
  DOCKER_TLS_VERIFY: read('DOCKER_TLS_VERIFY') !== undefined && read('DOCKER_TLS_VERIFY') !== '0',
  /** Sockets a local Docker engine listens on when DOCKER_HOST is unset (rootful, rootless, Desktop). */
  dockerSockets: [
    '/var/run/docker.sock',
    ...(read('XDG_RUNTIME_DIR') ? [join(read('XDG_RUNTIME_DIR') as string, 'docker.sock')] : []),
    join(homedir(), '.docker', 'run', 'docker.sock'),
  ],
};
