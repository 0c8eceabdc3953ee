import { createServer, type RequestListener, type Server } from 'node:http';

import type { Logger } from '@paperwire/observability';

import { handleClientErrors } from './client-error.js';

/** What one client may hold of the gateway's sockets and for how long (see `GATEWAY_*` in env.ts). */
export interface ConnectionLimits {
  /** From a connection's first byte (or a keep-alive request's) until its headers are complete. */
  headersTimeoutMs: number;
  /** Until the whole request, body included, has arrived. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept for its client's next request. */
  keepAliveTimeoutMs: number;
  /** Open connections at most; one more is closed as soon as it is accepted. */
  maxConnections: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_000,
};

/** A refused connection is logged at most this often, so a flood does not flood the log too. */
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * The gateway's HTTP server: `app` behind the connection limits, and Node's parser errors answered
 * as JSON (`handleClientErrors`). A client that sends its headers a byte at a time, or never
 * finishes them, is answered 408 and closed once the headers timeout passes, however often it
 * sends a byte: the timeout runs from the request's start, not from the last byte.
 */
export function createGatewayServer(app: RequestListener, limits: ConnectionLimits, logger: Logger): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node looks for expired requests only this often (30 s by default), so a timeout could
      // otherwise be overrun by up to that much.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    app,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  let dropped = 0;
  let lastLogged = 0;
  server.on('drop', (data?: { remoteAddress?: string }) => {
    dropped += 1;
    const now = Date.now();
    if (now - lastLogged < DROP_LOG_INTERVAL_MS) return;
    lastLogged = now;
    logger.warn(
      { maxConnections: limits.maxConnections, dropped, remoteAddress: data?.remoteAddress },
      'connection refused: the gateway holds GATEWAY_MAX_CONNECTIONS connections already',
    );
  });
  handleClientErrors(server, logger);
  return server;
}
