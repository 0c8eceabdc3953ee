import { existsSync } from 'node:fs';
import { request, type RequestOptions } from 'node:http';
import { connect } from 'node:net';

import { testEnv } from './env.js';

const PROBE_TIMEOUT_MS = 500;

function httpPing(target: RequestOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...target, method: 'GET', path: '/_ping', timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: PROBE_TIMEOUT_MS });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/**
 * Whether a Docker engine answers, decided within about half a second. A `docker` CLI on PATH says
 * nothing about an engine, so this asks the engine's socket (or DOCKER_HOST) for `/_ping`.
 */
export async function dockerEngineAnswers(): Promise<boolean> {
  const host = testEnv.DOCKER_HOST;
  if (host !== undefined) {
    if (host.startsWith('unix://')) return httpPing({ socketPath: host.slice('unix://'.length) });
    if (/^(tcp|https?):\/\//.test(host)) {
      const url = new URL(host.replace(/^tcp:/, 'http:'));
      const port = Number(url.port || (testEnv.DOCKER_TLS_VERIFY ? 2376 : 2375));
      // A TLS engine cannot be pinged without its client certificates; an open port is enough here.
      if (testEnv.DOCKER_TLS_VERIFY) return tcpOpen(url.hostname, port);
      return httpPing({ host: url.hostname, port });
    }
    return false;
  }
  for (const socketPath of testEnv.dockerSockets) {
    if (existsSync(socketPath) && (await httpPing({ socketPath }))) return true;
  }
  return false;
}
