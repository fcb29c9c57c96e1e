/**
 * @module idp/web/cookies.test
 * Cookie reading and writing: defaults (HttpOnly, SameSite=Lax), appending, `__Host-` rules, no injection.
 */
import assert from 'node:assert/strict';
import { type IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { clearCookie, hostCookieName, readCookie, setCookie } from './cookies.ts';

function requestWith(cookie?: string): IncomingMessage {
  return { headers: cookie === undefined ? {} : { cookie } } as IncomingMessage;
}

function response(): ServerResponse {
  return new ServerResponse({ method: 'GET' } as IncomingMessage);
}

describe('readCookie', () => {
  it('finds a cookie among several, first one wins, quotes dropped', () => {
    const request = requestWith('a=1; sid=abc; b="q"; sid=later');
    assert.equal(readCookie(request, 'sid'), 'abc');
    assert.equal(readCookie(request, 'b'), 'q');
    assert.equal(readCookie(request, 'missing'), undefined);
    assert.equal(readCookie(requestWith(), 'sid'), undefined);
    assert.equal(readCookie(requestWith('xsid=1'), 'sid'), undefined);
  });
});

describe('setCookie / clearCookie', () => {
  it('appends Set-Cookie headers with safe defaults', () => {
    const res = response();
    setCookie(res, 'a', 'one', { secure: false, path: '/' });
    setCookie(res, '__Host-b', 'two', { secure: true, path: '/', maxAgeSeconds: 60, sameSite: 'Strict' });
    clearCookie(res, 'a', { secure: false, path: '/' });
    assert.deepEqual(res.getHeader('set-cookie'), [
      'a=one; Path=/; HttpOnly; SameSite=Lax',
      '__Host-b=two; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Strict',
      'a=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax',
    ]);
  });

  it('refuses names and values that could inject attributes, and broken __Host- cookies', () => {
    const res = response();
    assert.throws(() => setCookie(res, 'a', 'x; Domain=evil', { secure: true, path: '/' }), TypeError);
    assert.throws(() => setCookie(res, 'a b', 'x', { secure: true, path: '/' }), TypeError);
    assert.throws(() => setCookie(res, 'a', 'x', { secure: true, path: '/x;y' }), TypeError);
    assert.throws(() => setCookie(res, '__Host-a', 'x', { secure: false, path: '/' }), TypeError);
    assert.throws(() => setCookie(res, '__Host-a', 'x', { secure: true, path: '/app' }), TypeError);
    assert.equal(res.getHeader('set-cookie'), undefined);
  });

  it('hostCookieName prefixes only over HTTPS', () => {
    assert.equal(hostCookieName('sid', true), '__Host-sid');
    assert.equal(hostCookieName('sid', false), 'sid');
  });
});
