/**
 * @module gateway/proxy/path.test
 * The request-target sent upstream, byte for byte.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { basePathOf, splitTarget, stripPathPrefix, upstreamPath } from './path.ts';

describe('request-target', () => {
  it('splits origin-form and absolute-form targets without decoding', () => {
    assert.deepEqual(splitTarget('/a%2Fb?x=%20&y'), { path: '/a%2Fb', query: '?x=%20&y' });
    assert.deepEqual(splitTarget('/a'), { path: '/a', query: '' });
    assert.deepEqual(splitTarget('http://h:8/p/q?z=1'), { path: '/p/q', query: '?z=1' });
    assert.deepEqual(splitTarget('http://h?z=1'), { path: '/', query: '?z=1' });
    assert.deepEqual(splitTarget('http://h'), { path: '/', query: '' });
  });

  it('strips a prefix at a segment boundary only', () => {
    assert.equal(stripPathPrefix('/api/users', '/api'), '/users');
    assert.equal(stripPathPrefix('/api', '/api'), '/');
    assert.equal(stripPathPrefix('/apix', '/api'), '/apix');
    assert.equal(stripPathPrefix('/api/x', '/api/'), '/x');
    assert.equal(stripPathPrefix('/other', '/api'), '/other');
    assert.equal(stripPathPrefix('/x', ''), '/x');
    assert.equal(stripPathPrefix('/x', '/'), '/x');
  });

  it('joins base path, stripped path and query', () => {
    assert.equal(basePathOf(new URL('http://h:1')), '');
    assert.equal(basePathOf(new URL('http://h:1/v1/')), '/v1');
    assert.equal(upstreamPath('/v1', '/api/a%2Fb?q=%2B+1', '/api'), '/v1/a%2Fb?q=%2B+1');
    assert.equal(upstreamPath('', '/api?q', '/api'), '/?q');
  });
});
