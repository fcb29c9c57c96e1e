/**
 * @module introspection/client-auth.test
 * The static client authentication methods as a real IdP receives them (RFC 6749 §2.3.1, RFC 6750 §2.1,
 * RFC 8705 §2), the default method, and the configuration errors raised at startup.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sendJson } from '../../test/support/loopback.ts';
import { createClientAuth, resolveClientAuthMethod } from './client-auth.ts';
import { HttpIntrospectionTransport } from './http-transport.ts';
import { type IntrospectionInput, introspectionConfig, useStubIdp } from './test-support/fixtures.ts';
import type { RecordedRequest } from './test-support/stub-idp.ts';

const TOKEN = 'opaque-token-1';

/**
 * The IdP side of RFC 6749 §2.3.1: base64-decode, split at the first colon, then form-urldecode each part
 * (Appendix B: `+` is a space).
 */
function decodeBasic(header = ''): [string, string] {
  assert.ok(header.startsWith('Basic '), `expected Basic credentials, got ${header}`);
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
  return [formDecode(decoded.slice(0, colon)), formDecode(decoded.slice(colon + 1))];
}

describe('client authentication', () => {
  const { idp, http, metadata } = useStubIdp();

  before(() => {
    idp.handler = (_request, response) => sendJson(response, 200, { active: true, sub: 'alice' });
  });

  /** Introspects once with `clientAuth` and returns what the IdP received, and the transport id. */
  async function sent(clientAuth: IntrospectionInput['clientAuth']): Promise<[RecordedRequest, string]> {
    const transport = new HttpIntrospectionTransport(
      introspectionConfig({ endpoint: idp.url('/introspect'), clientAuth }),
      { http, metadata },
    );
    assert.deepEqual(await transport.introspect(TOKEN), { active: true, sub: 'alice' });
    assert.equal(idp.requests.length, 1);
    return [idp.requests[0], transport.id];
  }

  it('client_secret_basic form-urlencodes id and secret before base64 (RFC 6749 §2.3.1)', async () => {
    const clientId = 'my client:ü';
    const clientSecret = 'p@ss:w/rd+%&=~ ';
    const [request, id] = await sent({ clientId, clientSecret });
    assert.deepEqual(decodeBasic(request.headers.authorization), [clientId, clientSecret]);
    // Encoded, the colon of the id cannot be mistaken for the separator.
    const raw = Buffer.from(request.headers.authorization!.slice(6), 'base64').toString();
    assert.equal(raw, 'my+client%3A%C3%BC:p%40ss%3Aw%2Frd%2B%25%26%3D%7E+');
    assert.deepEqual([...request.form.keys()], ['token']);
    assert.ok(id.includes('|client_secret_basic:my client:ü||'));
    assert.ok(!id.includes(clientSecret));
  });

  it('client_secret_post puts id and secret in the form, not in a header', async () => {
    const [request, id] = await sent({ method: 'client_secret_post', clientId: 'rs', clientSecret: 'pw' });
    assert.equal(request.headers.authorization, undefined);
    assert.equal(request.form.get('token'), TOKEN);
    assert.equal(request.form.get('client_id'), 'rs');
    assert.equal(request.form.get('client_secret'), 'pw');
    assert.ok(id.includes('|client_secret_post:rs|'));
  });

  it('bearer sends the static access token (RFC 6750 §2.1) and identifies it by fingerprint only', async () => {
    const accessToken = 'static.access-token_123';
    const [request, id] = await sent({ accessToken });
    assert.equal(request.headers.authorization, `Bearer ${accessToken}`);
    assert.match(id, /\|bearer:sha256=[0-9a-f]{12}\|\|/);
    assert.ok(!id.includes(accessToken));
  });

  it('none sends no credentials', async () => {
    const [request, id] = await sent({});
    assert.equal(request.headers.authorization, undefined);
    assert.deepEqual([...request.form.keys()], ['token']);
    assert.ok(id.includes('|none||'));
  });

  it('tls_client_auth names the client in the form (RFC 8705 §2); the certificate is the credential', () => {
    const config = introspectionConfig({
      clientAuth: { method: 'tls_client_auth', clientId: 'rs' },
      tls: { clientCert: '/etc/rs.crt', clientKey: '/etc/rs.key' },
    });
    const auth = createClientAuth(config, { http, metadata });
    const request = { headers: {}, params: new URLSearchParams() };
    return auth.apply(request, idp.url('/introspect')).then(() => {
      assert.deepEqual([...request.params], [['client_id', 'rs']]);
      assert.deepEqual(request.headers, {});
      assert.equal(auth.identity, 'tls_client_auth:rs');
      assert.equal(auth.refreshable, false);
      assert.equal(auth.invalidate(), false);
    });
  });

  it('defaults the method from the keys that are set', () => {
    const method = (clientAuth: IntrospectionInput['clientAuth']) =>
      resolveClientAuthMethod(introspectionConfig({ clientAuth }).clientAuth);
    assert.equal(method({ accessToken: 't', clientId: 'rs', clientSecret: 's' }), 'bearer');
    assert.equal(method({ clientId: 'rs', clientSecret: 's' }), 'client_secret_basic');
    assert.equal(method({ clientId: 'rs' }), 'none');
    assert.equal(method({}), 'none');
    assert.equal(method({ method: 'client_secret_post', accessToken: 't' }), 'client_secret_post');
  });

  it('rejects incomplete configurations at startup, naming the key and not the secret', () => {
    const cases: Array<[IntrospectionInput, string]> = [
      [
        { clientAuth: { method: 'client_secret_basic', clientId: 'rs' } },
        'auth.introspection.clientAuth.clientSecret',
      ],
      [
        { clientAuth: { method: 'client_secret_post', clientSecret: 's' } },
        'auth.introspection.clientAuth.clientId',
      ],
      [{ clientAuth: { method: 'bearer' } }, 'auth.introspection.clientAuth.accessToken'],
      [{ clientAuth: { accessToken: 'not a token\n' } }, 'auth.introspection.clientAuth.accessToken'],
      [
        { clientAuth: { method: 'private_key_jwt', privateKey: '{}' } },
        'auth.introspection.clientAuth.clientId',
      ],
      [{ clientAuth: { method: 'tls_client_auth', clientId: 'rs' } }, 'auth.introspection.tls.clientCert'],
      [
        { clientAuth: { method: 'client_credentials', clientId: 'rs', clientSecret: 's' } },
        'auth.introspection.clientAuth.tokenEndpoint',
      ],
    ];
    for (const [input, path] of cases) {
      assert.throws(
        () => createClientAuth(introspectionConfig(input), { http, metadata }),
        (error: { code?: string; path?: string; message: string }) => {
          assert.equal(error.code, 'configInvalid');
          assert.equal(error.path, path);
          assert.ok(!error.message.includes('not a token'));
          return true;
        },
      );
    }
  });
});
