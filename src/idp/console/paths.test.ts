/**
 * @module idp/console/paths.test
 * Console paths: the default tenant at `/console`, others at `/t/<tenant>/console`, raw segments only
 * (no dot segments, no empty ones), each later segment percent-decoded.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { consoleBase, consoleHref, matchConsolePath } from './paths.ts';

it('matches console paths per tenant and refuses everything else', () => {
  assert.deepEqual(matchConsolePath('/console'), { tenant: 'default', base: '/console', rest: [] });
  assert.deepEqual(matchConsolePath('/console/'), { tenant: 'default', base: '/console', rest: [] });
  assert.deepEqual(matchConsolePath('/t/foo.com/console/applications/a%2Fb'), {
    tenant: 'foo.com',
    base: '/t/foo.com/console',
    rest: ['applications', 'a/b'],
  });
  for (const path of [
    '/consoles',
    '/t/default/console',
    '/t/Foo/console',
    '/t/../console',
    '/console/../oauth2/token',
    '/console//applications',
    '/console/%zz',
    'console',
    '/oauth2/token',
  ]) {
    assert.equal(matchConsolePath(path), undefined, path);
  }
  assert.equal(consoleBase('default'), '/console');
  assert.equal(consoleHref('acme', 'applications', 'a/b c'), '/t/acme/console/applications/a%2Fb%20c');
});
