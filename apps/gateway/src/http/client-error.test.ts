import { ErrorResponseSchema } from '@paperwire/schema';
import { describe, expect, it } from 'vitest';

import { clientErrorAnswer, rawResponse } from './client-error.js';

const limits = { maxHeaderSize: 16_384, requestTimeoutMs: 300_000, headersTimeoutMs: 60_000 };
const parserError = (code: string, reason?: string) =>
  Object.assign(new Error(`Parse Error: ${reason ?? code}`), { code, ...(reason ? { reason } : {}) });

describe('clientErrorAnswer', () => {
  it('gives each parser error its status and an API error body', () => {
    expect(clientErrorAnswer(parserError('HPE_HEADER_OVERFLOW'), limits)).toMatchObject({
      status: 431,
      body: { error: 'request_header_fields_too_large', message: expect.stringContaining('16384 bytes') },
    });
    expect(clientErrorAnswer(parserError('ERR_HTTP_REQUEST_TIMEOUT'), limits)).toMatchObject({
      status: 408,
      body: { error: 'request_timeout', message: expect.stringContaining('60000 ms') },
    });
    expect(clientErrorAnswer(parserError('HPE_CHUNK_EXTENSIONS_OVERFLOW'), limits).status).toBe(413);
    expect(
      clientErrorAnswer(parserError('HPE_INVALID_METHOD', 'Invalid method encountered'), limits),
    ).toEqual({
      status: 400,
      body: {
        error: 'bad_request',
        message: 'the request is not valid HTTP/1.1: Invalid method encountered',
      },
    });
  });

  it('answers with bodies the API schema accepts', () => {
    for (const code of ['HPE_HEADER_OVERFLOW', 'ERR_HTTP_REQUEST_TIMEOUT', 'HPE_INVALID_URL', 'EWHATEVER']) {
      expect(ErrorResponseSchema.safeParse(clientErrorAnswer(parserError(code), limits).body).success).toBe(
        true,
      );
    }
  });
});

describe('rawResponse', () => {
  it('is a whole HTTP/1.1 message: status line, CRLF headers, exact length, close', () => {
    const body = { error: 'bad_request', message: 'naïve — not ASCII' };
    const text = rawResponse({ status: 400, body });
    const [head, payload] = text.split('\r\n\r\n');
    const lines = head!.split('\r\n');
    expect(lines[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(lines).toContain('Connection: close');
    expect(lines).toContain('Content-Type: application/json; charset=utf-8');
    // Bytes, not characters: the body is UTF-8.
    expect(lines).toContain(`Content-Length: ${Buffer.byteLength(payload!)}`);
    expect(Buffer.byteLength(payload!)).toBeGreaterThan(payload!.length);
    expect(JSON.parse(payload!)).toEqual(body);
    expect(text.includes('\n') && !/[^\r]\n/.test(text.replace(payload!, ''))).toBe(true);
  });
});
