/**
 * @module gateway/proxy/headers.test
 * Header rewriting rules on hand-made requests: the cases a loopback client cannot produce (TLS, IPv4-mapped
 * peers, HTTP/1.0 without Host) and the plan values the engine refuses.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { TokenguardError } from '../../errors/tokenguard-error.ts';
import {
  connectionOptions,
  rawResponseHeaderLines,
  stripResponseHeaders,
  upstreamRequestHeaders,
} from './headers.ts';
import { planWith } from './test-support/harness.ts';

function requestOf(headers: IncomingMessage['headers'], socket: object = {}): IncomingMessage {
  return { headers, socket: { remoteAddress: '10.0.0.7', localPort: 8080, ...socket } } as IncomingMessage;
}

const OPTIONS = { upstreamHost: 'svc:9000', preserveHost: false, upgrade: false };

/** The headers sent for `request` (failing the test when the plan is refused). */
function sent(request: IncomingMessage, options = OPTIONS) {
  const headers = upstreamRequestHeaders(request, planWith(), options);
  assert.ok(!(headers instanceof TokenguardError), 'plan refused');
  return headers;
}

describe('upstream request headers', () => {
  it('reads the Connection options, case-insensitively, across several fields', () => {
    assert.deepEqual(connectionOptions(['Keep-Alive, X-A', ' x-b ,,']), ['keep-alive', 'x-a', 'x-b']);
    assert.deepEqual(connectionOptions(undefined), []);
  });

  it('writes X-Forwarded-* for a TLS client behind an IPv4-mapped address', () => {
    const request = requestOf(
      { host: 'api.example', 'x-forwarded-for': '198.51.100.1, 198.51.100.2' },
      { encrypted: true, remoteAddress: '::ffff:192.0.2.5' },
    );
    const headers = sent(request);
    assert.equal(headers['x-forwarded-for'], '198.51.100.1, 198.51.100.2, 192.0.2.5');
    assert.equal(headers['x-forwarded-proto'], 'https');
    assert.equal(headers['x-forwarded-port'], '443');
    assert.equal(headers['x-forwarded-host'], 'api.example');
    assert.equal(headers.host, 'svc:9000');
  });

  it('drops a spoofed X-Forwarded-Host when the client sent no Host, and names the local port', () => {
    const request = requestOf({ 'x-forwarded-host': 'evil' });
    const headers = sent(request, {
      ...OPTIONS,
      preserveHost: true,
    });
    assert.equal(headers['x-forwarded-host'], undefined);
    assert.equal(headers['x-forwarded-port'], '8080');
    assert.equal(headers.host, 'svc:9000', 'no client Host to preserve');
  });

  it('keeps Connection: upgrade and Upgrade for an Upgrade request only', () => {
    const request = requestOf({
      host: 'h',
      connection: 'Upgrade, HTTP2-Settings',
      upgrade: 'websocket',
      'http2-settings': 'x',
    });
    const plain = sent(request);
    assert.equal(plain.connection, undefined);
    assert.equal(plain.upgrade, undefined);
    assert.equal(plain['http2-settings'], undefined);
    const upgraded = sent(request, {
      ...OPTIONS,
      upgrade: true,
    });
    assert.equal(upgraded.connection, 'upgrade');
    assert.equal(upgraded.upgrade, 'websocket');
    assert.equal(upgraded['http2-settings'], undefined);
  });

  for (const [what, plan] of [
    ['a LF in a value', planWith({ setHeaders: { 'x-user': 'a\nb' } })],
    ['a NUL in a value', planWith({ setHeaders: { 'x-user': 'a\0b' } })],
    ['an invalid name', planWith({ setHeaders: { 'x user': 'a' } })],
    ['a framing header', planWith({ setHeaders: { 'Transfer-Encoding': 'chunked' } })],
    ['the Host', planWith({ setHeaders: { host: 'other' } })],
    ['a CR in the request id', planWith({ requestId: 'id\r' })],
  ] as const) {
    it(`refuses a plan with ${what}`, () => {
      const request = requestOf({ host: 'h' });
      const refused = upstreamRequestHeaders(request, plan, OPTIONS);
      assert.ok(refused instanceof TokenguardError);
      assert.equal(refused.httpStatus, 502);
      assert.equal(refused.reason, 'internal_error');
    });
  }
});

describe('response headers', () => {
  it('strips hop-by-hop fields and those the upstream names in Connection', () => {
    const headers = stripResponseHeaders({
      connection: 'keep-alive, X-Secret',
      'keep-alive': 'timeout=5',
      'x-secret': '1',
      'transfer-encoding': 'chunked',
      'set-cookie': ['a=1', 'b=2'],
      'content-type': 'text/plain',
    });
    assert.deepEqual(headers, { 'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain' });
  });

  it('keeps Connection and Upgrade of a 101, as written', () => {
    const raw = [
      'Upgrade',
      'websocket',
      'Connection',
      'Upgrade, X-Hop',
      'X-Hop',
      '1',
      'Sec-WebSocket-Accept',
      'abc',
    ];
    assert.equal(
      rawResponseHeaderLines(raw, true),
      'Upgrade: websocket\r\nConnection: Upgrade, X-Hop\r\nSec-WebSocket-Accept: abc\r\n',
    );
    assert.equal(rawResponseHeaderLines(raw, false), 'Sec-WebSocket-Accept: abc\r\n');
  });
});
