import { connect, type Socket } from 'node:net';

import { waitFor } from '@paperwire/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { connectionLimitsOf, loadEnv } from './env.js';
import { QEC } from './testing/fixture.js';
import { getJson, seededSqliteIndex, serve, type Running, type SeededIndex } from './testing/serve.js';

const HEADERS_TIMEOUT_MS = 1_500;
const KEEP_ALIVE_TIMEOUT_MS = 400;
/** Node looks for expired requests every quarter of the headers timeout (see createGatewayServer). */
const CHECK_SLACK_MS = HEADERS_TIMEOUT_MS / 4 + 1_000;

/** One client socket, as the server treats it: when it was opened, what it got, when it was closed. */
interface Probe {
  socket: Socket;
  connectedAt: number | null;
  firstByteAt: number | null;
  closedAt: number | null;
  received: string;
}

function open(port: number): Probe {
  const socket = connect(port, '127.0.0.1');
  const probe: Probe = { socket, connectedAt: null, firstByteAt: null, closedAt: null, received: '' };
  socket.once('connect', () => (probe.connectedAt = Date.now()));
  socket.on('data', (d: Buffer) => (probe.received += d.toString('latin1')));
  // Writes racing the server's close fail with EPIPE or ECONNRESET: the close is what is measured.
  socket.on('error', () => undefined);
  socket.once('close', () => (probe.closedAt = Date.now()));
  return probe;
}

/** A request line and headers that never end, sent a byte every 50 ms. */
function drip(port: number): Probe {
  const probe = open(port);
  const request = `GET /v1/search?q=quantum HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: `;
  let sent = 0;
  const timer = setInterval(() => {
    if (probe.socket.destroyed || !probe.socket.writable) return clearInterval(timer);
    probe.firstByteAt ??= Date.now();
    probe.socket.write(request[sent] ?? 'a');
    sent += 1;
  }, 50);
  probe.socket.once('close', () => clearInterval(timer));
  return probe;
}

/** Half a request's headers, then nothing. */
function stall(port: number): Probe {
  const probe = open(port);
  probe.socket.once('connect', () => {
    probe.firstByteAt = Date.now();
    probe.socket.write('GET /v1/search?q=quantum HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: appl');
  });
  return probe;
}

function portOf(gateway: Running): number {
  return Number(new URL(gateway.base).port);
}

describe('the gateway under slow clients', () => {
  let seeded: SeededIndex;

  beforeAll(async () => {
    seeded = await seededSqliteIndex([QEC]);
  });

  afterAll(async () => {
    await seeded?.close();
  });

  /** The gateway as main.ts starts it, with its connection limits read from these variables. */
  function gatewayWith(vars: Record<string, string>): Promise<Running> {
    const env = loadEnv({
      GATEWAY_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      GATEWAY_REQUEST_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS * 2),
      GATEWAY_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
      ...vars,
    });
    return serve({ index: seeded.index, connectionLimits: connectionLimitsOf(env) });
  }

  it('answers a search while 200 slow-loris sockets are open, and closes each after the headers timeout', async () => {
    const gateway = await gatewayWith({ GATEWAY_MAX_CONNECTIONS: '300' });
    const port = portOf(gateway);
    const probes: Probe[] = [];
    try {
      for (let i = 0; i < 200; i++) probes.push(i % 2 === 0 ? drip(port) : stall(port));
      await waitFor(() => probes.every((p) => p.firstByteAt !== null), {
        what: 'all 200 slow sockets to have sent their first byte',
        timeoutMs: 5_000,
      });

      const started = Date.now();
      const answer = await getJson<{ hits: { id: string }[] }>(`${gateway.base}/v1/search?q=quantum`, {
        signal: AbortSignal.timeout(HEADERS_TIMEOUT_MS),
      });
      const answeredAt = Date.now();
      expect(answer.status).toBe(200);
      expect(answer.body.hits.map((h) => h.id)).toEqual([QEC.id]);
      // Answered while every slow socket was still held open, not after they were dropped.
      expect(answeredAt - started).toBeLessThan(HEADERS_TIMEOUT_MS);
      expect(probes.filter((p) => p.closedAt !== null)).toEqual([]);

      await waitFor(() => probes.every((p) => p.closedAt !== null), {
        what: 'the server to close every slow socket',
        timeoutMs: HEADERS_TIMEOUT_MS + CHECK_SLACK_MS + 5_000,
      });
      for (const p of probes) {
        const heldFor = p.closedAt! - p.firstByteAt!;
        expect(heldFor).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
        expect(heldFor).toBeLessThan(HEADERS_TIMEOUT_MS + CHECK_SLACK_MS);
        // Told why, in the API's JSON error shape, not just cut.
        expect(p.received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
        expect(p.received).toContain('"error":"request_timeout"');
      }
    } finally {
      for (const p of probes) p.socket.destroy();
      await gateway.close();
    }
  });

  it('closes connections past GATEWAY_MAX_CONNECTIONS at once, and serves again when the slow ones time out', async () => {
    const gateway = await gatewayWith({ GATEWAY_MAX_CONNECTIONS: '20' });
    const port = portOf(gateway);
    const held: Probe[] = [];
    try {
      for (let i = 0; i < 20; i++) held.push(stall(port));
      await waitFor(() => held.every((p) => p.firstByteAt !== null), {
        what: 'the 20 slow sockets to be connected',
        timeoutMs: 5_000,
      });

      const extra = stall(port);
      await waitFor(() => extra.closedAt !== null, {
        what: 'the server to close the connection past the cap',
        timeoutMs: 2_000,
      });
      expect(extra.received).toBe('');
      expect(held.filter((p) => p.closedAt !== null)).toEqual([]);

      await waitFor(() => held.every((p) => p.closedAt !== null), {
        what: 'the slow sockets to time out',
        timeoutMs: HEADERS_TIMEOUT_MS + CHECK_SLACK_MS + 5_000,
      });
      const answer = await getJson(`${gateway.base}/v1/search?q=quantum`);
      expect(answer.status).toBe(200);
    } finally {
      for (const p of held) p.socket.destroy();
      await gateway.close();
    }
  });

  it('closes an idle keep-alive connection after GATEWAY_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const gateway = await gatewayWith({});
    const probe = open(portOf(gateway));
    try {
      probe.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
      await waitFor(() => /\r\n\r\n/.test(probe.received), {
        what: 'the answer to /healthz',
        timeoutMs: 5_000,
      });
      const answeredAt = Date.now();
      expect(probe.received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(probe.received).toMatch(/keep-alive/i);

      await waitFor(() => probe.closedAt !== null, {
        what: 'the server to close the idle connection',
        timeoutMs: KEEP_ALIVE_TIMEOUT_MS + 5_000,
      });
      const idleFor = probe.closedAt! - answeredAt;
      expect(idleFor).toBeGreaterThanOrEqual(KEEP_ALIVE_TIMEOUT_MS - 100);
      expect(idleFor).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS + 2_000);
    } finally {
      probe.socket.destroy();
      await gateway.close();
    }
  });
});
