import { maxHeaderSize as defaultMaxHeaderSize, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

import type { Logger } from '@paperwire/observability';
import type { ErrorResponse } from '@paperwire/schema';

import { API_CSP } from './security.js';

/**
 * How long a socket that was answered stays open for its client to read the answer and close.
 * Closing at once could reset the connection while the rest of the client's request is still
 * arriving, and a reset can discard the answer before the client reads it.
 */
const LINGER_MS = 2_000;

export interface ClientErrorAnswer {
  status: number;
  body: ErrorResponse;
}

/** What Node's HTTP parser (or its timeouts) reports, as an answer shaped like the API's errors. */
export function clientErrorAnswer(
  error: Error & { code?: string; reason?: string },
  limits: { maxHeaderSize: number; requestTimeoutMs: number; headersTimeoutMs: number },
): ClientErrorAnswer {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        body: {
          error: 'request_header_fields_too_large',
          message: `the request line and headers are over ${limits.maxHeaderSize} bytes, the most the gateway reads; shorten the URL (fewer or shorter parameters) or the headers`,
        },
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return {
        status: 413,
        body: { error: 'payload_too_large', message: 'the chunk extensions of the body are too large' },
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        body: {
          error: 'request_timeout',
          message: `the request did not arrive in time (headers within ${limits.headersTimeoutMs} ms, the whole request within ${limits.requestTimeoutMs} ms)`,
        },
      };
    default: {
      const why = error.reason ?? error.message;
      return {
        status: 400,
        body: {
          error: 'bad_request',
          message: `the request is not valid HTTP/1.1${why ? `: ${why}` : ''}`,
        },
      };
    }
  }
}

/** A whole HTTP/1.1 response, framed by hand: on a parser error there is no response object. */
export function rawResponse({ status, body }: ClientErrorAnswer): string {
  const json = JSON.stringify(body);
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(json)}`,
    'Cache-Control: no-store',
    `Content-Security-Policy: ${API_CSP}`,
    'X-Content-Type-Options: nosniff',
    `Date: ${new Date().toUTCString()}`,
    'Connection: close',
    '',
    json,
  ].join('\r\n');
}

/**
 * Answers what Node's HTTP parser rejects before Express sees it (a URL or headers over the size
 * limit, a malformed request line, a request that did not arrive in time) with a JSON error like
 * every other answer of the API, instead of Node's empty-bodied default, then closes the
 * connection. A socket that cannot take an answer (reset by its client, or already answering a
 * request, whose bytes an answer would corrupt) is only destroyed.
 */
export function handleClientErrors(server: Server, logger: Logger): void {
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (error: Error & { code?: string; reason?: string }, socket: Duplex) => {
    // The parser reports again for every further chunk of a socket it has given up on.
    if (answered.has(socket)) return;
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    answered.add(socket);
    const answer = clientErrorAnswer(error, {
      // Set on the server when it was created with its own limit; else Node's (--max-http-header-size).
      maxHeaderSize: (server as { maxHeaderSize?: number }).maxHeaderSize ?? defaultMaxHeaderSize,
      requestTimeoutMs: server.requestTimeout,
      headersTimeoutMs: server.headersTimeout,
    });
    logger.info({ status: answer.status, code: error.code, reason: error.reason }, 'malformed request');
    const linger = setTimeout(() => socket.destroy(), LINGER_MS).unref();
    socket.once('close', () => clearTimeout(linger));
    // Its client reads the answer, sees `Connection: close` and closes; the linger ends the rest.
    socket.end(rawResponse(answer));
  });
}
