/**
 * @module idp/clients/presented-credentials.test
 * Which method a request uses (RFC 6749 §2.3, RFC 7523, RFC 8705, RFC 6750), and the one-method rule.
 */
import assert from 'node:assert/strict';
import type { X509Certificate } from 'node:crypto';
import { it } from 'node:test';
import { JWT_BEARER_ASSERTION_TYPE, presentedCredentials } from './presented-credentials.ts';

const basic = `Basic ${Buffer.from('svc:secret').toString('base64')}`;
const form = (entries: Record<string, string>) => new Map(Object.entries(entries));
const peer = { certificate: {} as X509Certificate, authorized: true };

it('recognizes each method', () => {
  assert.deepEqual(presentedCredentials(basic, form({}), undefined), {
    method: 'client_secret_basic',
    clientId: 'svc',
    secret: 'secret',
  });
  assert.deepEqual(
    presentedCredentials(undefined, form({ client_id: 'svc', client_secret: 's' }), undefined),
    {
      method: 'client_secret_post',
      clientId: 'svc',
      secret: 's',
    },
  );
  assert.deepEqual(
    presentedCredentials(
      undefined,
      form({ client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: 'a.b.c' }),
      undefined,
    ),
    { method: 'private_key_jwt', clientId: undefined, assertion: 'a.b.c' },
  );
  assert.equal(presentedCredentials(undefined, form({ client_id: 'svc' }), peer).method, 'tls_client_auth');
  assert.deepEqual(presentedCredentials('bearer abc.def', form({}), undefined), {
    method: 'bearer',
    token: 'abc.def',
  });
  assert.deepEqual(presentedCredentials(undefined, form({ client_id: 'svc' }), undefined), {
    method: 'none',
    clientId: 'svc',
  });
  assert.deepEqual(presentedCredentials('Negotiate xyz', form({}), undefined), { method: 'unsupported' });
  // A certificate does not count as a second method when the request uses another one.
  assert.equal(presentedCredentials(basic, form({ client_id: 'svc' }), peer).method, 'client_secret_basic');
});

it('more than one method, mismatched client_id or half a method → invalid_request', () => {
  const bad: [string | undefined, Record<string, string>][] = [
    [basic, { client_id: 'svc', client_secret: 'secret' }],
    [basic, { client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: 'a.b.c' }],
    [
      undefined,
      {
        client_id: 'svc',
        client_secret: 's',
        client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
        client_assertion: 'x',
      },
    ],
    [basic, { client_id: 'other' }],
    [undefined, { client_secret: 's' }],
    [undefined, { client_assertion: 'a.b.c' }],
    [undefined, { client_assertion_type: 'urn:other', client_assertion: 'a.b.c' }],
    ['Bearer not a token', {}],
  ];
  for (const [authorization, entries] of bad) {
    assert.throws(
      () => presentedCredentials(authorization, form(entries), undefined),
      { code: 'invalid_request' },
      JSON.stringify(entries),
    );
  }
});
