/**
 * @module gateway/routing/routing.test
 * Request-target normalization (RFC 3986 §5.2.4 dot segments, §6.2.2 escapes, merged slashes, refused
 * encoded slashes), path patterns and the route matcher's host, path and method parts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenguardError } from '../../errors/tokenguard-error.ts';
import { matchSchema } from '../config/schema.ts';
import { compilePathMatcher } from './path-pattern.ts';
import { normalizeTarget } from './request-target.ts';
import { compileRouteMatcher, hostName } from './route-matcher.ts';

describe('normalizeTarget', () => {
  const path = (raw: string, allow = false) => normalizeTarget(raw, allow).path;

  it('removes dot segments and merges slashes', () => {
    assert.equal(path('/a/b/../c'), '/a/c');
    assert.equal(path('/a/./b/.'), '/a/b/');
    assert.equal(path('/a/b/..'), '/a/');
    assert.equal(path('/../../x'), '/x');
    assert.equal(path('//a///b'), '/a/b');
    assert.equal(path('/'), '/');
  });

  it('decodes escaped unreserved characters (then removes the dot segments they form)', () => {
    assert.equal(path('/%61dmin'), '/admin');
    assert.equal(path('/a/%2e%2E/b'), '/b');
    assert.equal(path('/a%7e%20b'), '/a~%20b');
    assert.equal(path('/x%c3%a9'), '/x%C3%A9');
  });

  it('keeps the query as it is and drops a fragment', () => {
    assert.deepEqual(normalizeTarget('/a/../b?x=%2F&y=1#frag', false), {
      path: '/b',
      search: '?x=%2F&y=1',
      url: '/b?x=%2F&y=1',
    });
    assert.equal(normalizeTarget('http://host:8080/a/./b?q', false).url, '/a/b?q');
  });

  it('refuses encoded slashes, backslashes, bad escapes and non-path targets unless allowed', () => {
    for (const raw of ['/a%2Fb', '/a%5cb', '/a\\b', '/a%zz', '/a%2', '*', 'example.com:443']) {
      assert.throws(
        () => normalizeTarget(raw, false),
        (error: unknown) => error instanceof TokenguardError && error.code === 'invalidRequest',
        raw,
      );
    }
    assert.equal(path('/a%2fb', true), '/a%2Fb');
  });
});

describe('compilePathMatcher', () => {
  it('exact, prefix and patterns', () => {
    const exact = compilePathMatcher({ path: '/status', pathPrefix: '' });
    assert.ok(exact('/status'));
    assert.ok(!exact('/status/'));
    const prefix = compilePathMatcher({ path: '', pathPrefix: '/api' });
    assert.ok(prefix('/api') && prefix('/api/x') && prefix('/apix'));
    assert.ok(!prefix('/ap'));
    const pattern = compilePathMatcher({ path: '/users/:id/files/*.png', pathPrefix: '' });
    assert.ok(pattern('/users/7/files/a/b.png'));
    assert.ok(!pattern('/users//files/a.png'));
    assert.ok(!pattern('/users/7/files/a.jpg'));
    const dots = compilePathMatcher({ path: '/v1.0/*', pathPrefix: '' });
    assert.ok(dots('/v1.0/x'));
    assert.ok(!dots('/v1x0/x'), 'a dot is literal');
    assert.ok(compilePathMatcher({ path: '', pathPrefix: '' })('/anything'));
  });
});

describe('compileRouteMatcher', () => {
  it('matches host globs without port, methods and path together', () => {
    const matches = compileRouteMatcher(
      matchSchema.parse({ hosts: ['*.Example.com', 'api.test'], pathPrefix: '/v1', methods: ['get'] }),
    );
    assert.ok(matches({ method: 'GET', host: hostName('a.example.com:8443'), path: '/v1/x' }));
    assert.ok(matches({ method: 'GET', host: hostName('API.test'), path: '/v1' }));
    assert.ok(!matches({ method: 'POST', host: 'api.test', path: '/v1' }));
    assert.ok(!matches({ method: 'GET', host: 'example.com', path: '/v1' }));
    assert.ok(!matches({ method: 'GET', host: 'api.test', path: '/v2' }));
    assert.equal(hostName('[::1]:8080'), '::1');
    assert.equal(hostName(undefined), '');
  });
});
