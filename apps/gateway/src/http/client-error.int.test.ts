import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

import { createLogger } from '@paperwire/observability';
import { ErrorResponseSchema } from '@paperwire/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { seededSqliteIndex, serve, type Running, type SeededIndex } from '../testing/serve.js';
import { handleClientErrors } from './client-error.js';

interface RawAnswer {
  statusLine: string;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Sends `request` as bytes and reads until the server closes the connection, which an answer
 * with `connection: close` must do; the deadline turns a server that never closes into a failure.
 */
function rawRequest(port: number, request: string, deadlineMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${deadlineMs} ms; got: ${Buffer.concat(chunks).toString()}`));
    }, deadlineMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('end', () => {
      clearTimeout(timer);
      socket.end();
      try {
        resolve(parseAnswer(Buffer.concat(chunks)));
      } catch (error) {
        reject(error as Error);
      }
    });
    socket.write(request);
  });
}

function parseAnswer(raw: Buffer): RawAnswer {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no end of headers in ${JSON.stringify(raw.toString())}`);
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { statusLine: statusLine ?? '', headers, body: raw.subarray(end + 4) };
}

/** The answer is a whole HTTP/1.1 message with a JSON error body of exactly its stated length. */
function expectJsonError(answer: RawAnswer, status: number, error: string) {
  expect(answer.statusLine).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(answer.headers.connection).toBe('close');
  expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
  const body = ErrorResponseSchema.parse(JSON.parse(answer.body.toString('utf8')));
  expect(body.error).toBe(error);
  expect(body.message.length).toBeGreaterThan(0);
  return body;
}

describe('the gateway on requests its HTTP parser rejects', () => {
  let seeded: SeededIndex;
  let gateway: Running;
  let port: number;

  beforeAll(async () => {
    seeded = await seededSqliteIndex([]);
    gateway = await serve({ index: seeded.index });
    port = Number(new URL(gateway.base).port);
  });

  afterAll(async () => {
    await gateway?.close();
    await seeded?.close();
  });

  it('answers a 20 KB URL with a JSON 431, not an empty body', async () => {
    const answer = await rawRequest(
      port,
      `GET /v1/search?q=${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
    );
    const body = expectJsonError(answer, 431, 'request_header_fields_too_large');
    expect(body.message).toMatch(/16384 bytes/);
  });

  it('answers a malformed request line with a JSON 400', async () => {
    const answer = await rawRequest(port, 'HELLO WORLD\r\n\r\n');
    const body = expectJsonError(answer, 400, 'bad_request');
    expect(body.message).toMatch(/^the request is not valid HTTP\/1\.1/);
    const broken = await rawRequest(port, 'GET /v1/stats HTTP/1.1 extra\r\nHost: localhost\r\n\r\n');
    expectJsonError(broken, 400, 'bad_request');
  });

  it('still answers well-formed requests', async () => {
    const answer = await rawRequest(
      port,
      'GET /v1/stats HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    expect(answer.statusLine).toBe('HTTP/1.1 200 OK');
    expect(JSON.parse(answer.body.toString())).toEqual({ papers: 0 });
  });
});

describe('handleClientErrors', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    // Short timeouts, checked often, so a request that stalls gets its 408 within the test.
    server = createServer(
      { requestTimeout: 400, headersTimeout: 300, connectionsCheckingInterval: 50 },
      (_req, res) => res.end('ok'),
    );
    handleClientErrors(server, createLogger('client-error-test', 'silent'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers a request whose headers never finish with a JSON 408', async () => {
    const answer = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: localhost\r\n');
    const body = expectJsonError(answer, 408, 'request_timeout');
    expect(body.message).toMatch(/300 ms/);
  });

  /** The server's side of a fresh connection, with the client's. */
  async function connectionPair(): Promise<{ client: Socket; serverSide: Socket }> {
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    const [serverSide] = await accepted;
    return { client, serverSide };
  }

  it('only destroys a socket its client reset, writing nothing', async () => {
    const { client, serverSide } = await connectionPair();
    const received: Buffer[] = [];
    client.on('data', (d: Buffer) => received.push(d));
    client.on('error', () => undefined);
    const closed = once(client, 'close');
    server.emit(
      'clientError',
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      serverSide,
    );
    await closed;
    expect(serverSide.destroyed).toBe(true);
    expect(Buffer.concat(received).length).toBe(0);
  });

  it('only destroys a socket that can no longer be written', async () => {
    const { client, serverSide } = await connectionPair();
    const received: Buffer[] = [];
    client.on('data', (d: Buffer) => received.push(d));
    client.on('error', () => undefined);
    serverSide.end();
    await once(client, 'end');
    expect(serverSide.writable).toBe(false);
    const closed = once(client, 'close');
    server.emit(
      'clientError',
      Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD' }),
      serverSide,
    );
    client.end();
    await closed;
    expect(serverSide.destroyed).toBe(true);
    expect(Buffer.concat(received).length).toBe(0);
  });
});
