import { randomUUID } from 'node:crypto';

import { testEnv } from './env.js';

export interface MeiliServer {
  url: string;
  apiKey?: string;
  stop: () => Promise<void>;
}

export type MeiliServerSource = { start: () => Promise<MeiliServer>; describe: string } | { skip: string };

const IMAGE = 'getmeili/meilisearch:v1.16';
const DOCKER_CHECK_TIMEOUT_MS = 5000;

/**
 * Where the Meilisearch tests get a server: MEILI_URL when set, else a container when a Docker
 * engine answers, else nowhere (and the reason why).
 */
export async function findMeiliServer(): Promise<MeiliServerSource> {
  const { meiliUrl, meiliMasterKey } = testEnv;
  if (meiliUrl) {
    return {
      describe: `MEILI_URL ${meiliUrl}`,
      start: async () => ({
        url: meiliUrl,
        ...(meiliMasterKey ? { apiKey: meiliMasterKey } : {}),
        stop: async () => {},
      }),
    };
  }
  const docker = await dockerAnswers();
  if (docker !== true) return { skip: `MEILI_URL unset and no Docker engine (${docker})` };
  return { describe: `container ${IMAGE}`, start: startContainer };
}

async function dockerAnswers(): Promise<true | string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${DOCKER_CHECK_TIMEOUT_MS} ms`)),
        DOCKER_CHECK_TIMEOUT_MS,
      );
    });
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return true;
  } catch (error) {
    return (error as Error).message;
  } finally {
    clearTimeout(timer);
  }
}

async function startContainer(): Promise<MeiliServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const apiKey = randomUUID();
  const container = await new GenericContainer(IMAGE)
    .withEnvironment({ MEILI_MASTER_KEY: apiKey, MEILI_NO_ANALYTICS: 'true', MEILI_ENV: 'development' })
    .withExposedPorts(7700)
    .withWaitStrategy(Wait.forHttp('/health', 7700).forStatusCode(200))
    .start();
  return {
    url: `http://${container.getHost()}:${container.getMappedPort(7700)}`,
    apiKey,
    stop: async () => {
      await container.stop();
    },
  };
}
