import type {} from 'vitest';

/** Values the integration and e2e global setup provides to tests through `inject()`. */
declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
