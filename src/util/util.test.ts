import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { TokenguardError } from '../errors/tokenguard-error.ts';
import { parseDuration } from './duration.ts';
import { compileGlob, compileGlobs } from './glob.ts';
import { HttpClient, parseRetryAfter } from './http-client.ts';

describe('parseDuration', () => {
  it('reads go-style durations', () => {
    const table: [string, number | undefined][] = [
      ['0', 0],
      ['500ms', 500],
      ['30s', 30_000],
      ['1m', 60_000],
      ['7h', 25_200_000],
      ['1h30m', 5_400_000],
      ['1.5s', 1500],
      ['', undefined],
      ['5', undefined],
      ['1d', undefined],
      ['s', undefined],
      ['1m x', undefined],
    ];
    for (const [text, ms] of table) assert.equal(parseDuration(text), ms, text);
  });
});

describe('compileGlob', () => {
  it('matches * against any run of characters but /', () => {
    const match = compileGlob('https://*.my-service.com');
    assert.ok(match('https://api.my-service.com'));
    assert.ok(match('https://a.b.my-service.com'));
    assert.ok(!match('https://my-service.com'));
    assert.ok(!match('http://api.my-service.com'));
    assert.ok(!match('https://api.my-service.com.evil'));
    assert.ok(!match('https://evil.example/x.my-service.com'), '* does not cross a slash');
    assert.ok(compileGlob('urn:(a)+*')('urn:(a)+x'), 'other characters are literal');
    assert.ok(compileGlob('a*b*c')('aXbYc'));
    assert.ok(!compileGlob('a*b*c')('acb'));
    assert.ok(!compileGlob('ab*ba')('aba'), 'head and tail may not overlap');
    assert.ok(compileGlob('exact')('exact') && !compileGlob('exact')('exact2'));
    assert.ok(compileGlobs(['x', 'y*'])('yes') && !compileGlobs([])('x'));
  });
});

describe('HttpClient', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('120'), 120);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  it('retries 5xx once and returns the next answer; never retries a 4xx', async () => {
    let hits = 0;
    const server = createServer((request, response) => {
      hits++;
      response.statusCode = request.url === '/flaky' && hits === 1 ? 502 : request.url === '/bad' ? 400 : 200;
      response.end('{}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new HttpClient({ retries: 1, retryBackoffMs: 1 });
    try {
      assert.equal(
        (await client.send('introspect', `${base}/flaky`, { method: 'POST', body: 'a=1' })).status,
        200,
      );
      assert.equal(hits, 2);
      assert.equal((await client.send('introspect', `${base}/bad`)).status, 400);
      assert.equal(hits, 3);
    } finally {
      await client.close();
      server.close();
    }
  });

  it('caps the size of answers', async () => {
    const server = createServer((_request, response) => response.end('x'.repeat(4096)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = new HttpClient({ maxBodyBytes: 1024, retries: 0 });
    try {
      await assert.rejects(
        client.send('jwks', `http://127.0.0.1:${(server.address() as AddressInfo).port}/`),
        (error: unknown) => error instanceof TokenguardError && error.reason === 'idp_bad_response',
      );
    } finally {
      await client.close();
      server.close();
    }
  });
});
