import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Registry } from 'prom-client';

import type { Logger } from './logger.js';

export interface MetricsServer {
  /** The port it listens on; 0 when not serving. */
  port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  host?: string;
  /** Told when the port cannot be had, and the app goes on without metrics. */
  logger?: Pick<Logger, 'warn'>;
}

/** Listen errors that leave an app without metrics rather than stop it: metrics are optional. */
const UNAVAILABLE = new Set(['EADDRINUSE', 'EACCES']);

const OFF: MetricsServer = { port: 0, close: async () => {} };

/**
 * Serves `GET /metrics` (Prometheus text) and `GET /healthz` (`ok`). Port 0 means metrics are
 * off: nothing listens and `close` does nothing. A port already taken (or not allowed) is a
 * warning naming it, not a crash: the app runs on without metrics, as with port 0.
 */
export async function serveMetrics(
  registry: Registry,
  port: number,
  options: MetricsServerOptions = {},
): Promise<MetricsServer> {
  const host = options.host ?? '0.0.0.0';
  if (port === 0) return OFF;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: unknown) =>
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(String(err)),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined || !UNAVAILABLE.has(code)) throw error;
    const why = code === 'EADDRINUSE' ? 'is already in use' : 'may not be listened on by this user';
    options.logger?.warn(
      { metricsPort: port, host, code },
      `metrics port ${port} ${why} (${code}): running without metrics; set METRICS_PORT to a free port, or 0 to turn metrics off`,
    );
    return OFF;
  }
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
