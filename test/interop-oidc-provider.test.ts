/**
 * Interoperability with an IdP nobody here wrote: panva's `oidc-provider` (OpenID Certified), on loopback.
 * Opaque tokens are introspected at the endpoint its discovery document names, with client_secret_basic
 * and with client_secret_jwt; its JWT access tokens (RFC 9068) are verified locally with the keys of its JWKS.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { requireScopes } from '../src/authz/scopes.ts';
import { TokenguardError } from '../src/errors/tokenguard-error.ts';
import { createAuthenticator } from '../src/pipeline/create-authenticator.ts';

const APP = { id: 'app', secret: 'app-secret-0123456789-0123456789-0123456789' };
const RESOURCE_SERVER = { id: 'resource-server', secret: 'rs-secret-0123456789-0123456789-0123456789' };
const JWT_RESOURCE_SERVER = {
  id: 'resource-server-jwt',
  secret: 'rs-jwt-secret-0123456789-0123456789-012345',
};

describe('interoperability with oidc-provider', () => {
  let issuer = '';
  let handler: (request: IncomingMessage, response: ServerResponse) => void = () => {};
  const server = createServer((request, response) => handler(request, response));

  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const provider = new Provider(issuer, {
      jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'op-key-1', alg: 'RS256', use: 'sig' }] },
      clients: [
        {
          client_id: APP.id,
          client_secret: APP.secret,
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
          scope: 'read write',
        },
        {
          client_id: RESOURCE_SERVER.id,
          client_secret: RESOURCE_SERVER.secret,
          grant_types: [],
          redirect_uris: [],
          response_types: [],
        },
        {
          client_id: JWT_RESOURCE_SERVER.id,
          client_secret: JWT_RESOURCE_SERVER.secret,
          token_endpoint_auth_method: 'client_secret_jwt',
          grant_types: [],
          redirect_uris: [],
          response_types: [],
        },
      ],
      scopes: ['read', 'write'],
      features: {
        clientCredentials: { enabled: true },
        introspection: { enabled: true },
        revocation: { enabled: true },
        devInteractions: { enabled: false },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => 'urn:example:opaque',
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string) => ({
            scope: 'read write',
            audience: resource,
            accessTokenFormat: resource === 'urn:example:jwt' ? 'jwt' : 'opaque',
            ...(resource === 'urn:example:jwt' ? { jwt: { sign: { alg: 'RS256' } } } : {}),
          }),
        },
      },
    });
    handler = provider.callback();
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  async function clientCredentialsToken(resource: string): Promise<string> {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${APP.id}:${APP.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read', resource }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { access_token: string }).access_token;
  }

  it('introspects its opaque tokens at the discovered endpoint, and sees their revocation', async () => {
    const auth = createAuthenticator({
      config: {
        introspection: {
          issuer,
          clientAuth: { clientId: RESOURCE_SERVER.id, clientSecret: RESOURCE_SERVER.secret },
        },
      },
    });
    try {
      const token = await clientCredentialsToken('urn:example:opaque');
      assert.ok(!token.includes('.'), 'the token is opaque');
      const principal = await auth.check(
        { headers: { authorization: `Bearer ${token}` } },
        { authorize: requireScopes(['read']) },
      );
      assert.equal(principal.clientId, APP.id);
      assert.equal(principal.method, 'introspection');
      assert.ok(principal.scopes.has('read'));

      const revoked = await fetch(`${issuer}/token/revocation`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${APP.id}:${APP.secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ token }),
      });
      assert.equal(revoked.status, 200);
      await auth.invalidate(token);
      await assert.rejects(
        auth.authenticate({ headers: { authorization: `Bearer ${token}` } }),
        (error: unknown) => error instanceof TokenguardError && error.reason === 'token_inactive',
      );
    } finally {
      await auth.close();
    }
  });

  it('authenticates to its introspection endpoint with client_secret_jwt (RFC 7523 §2.2)', async () => {
    const auth = createAuthenticator({
      config: {
        introspection: {
          issuer,
          clientAuth: {
            method: 'client_secret_jwt',
            clientId: JWT_RESOURCE_SERVER.id,
            clientSecret: JWT_RESOURCE_SERVER.secret,
          },
        },
      },
    });
    try {
      const token = await clientCredentialsToken('urn:example:opaque');
      const principal = await auth.authenticate({ headers: { authorization: `Bearer ${token}` } });
      assert.equal(principal.clientId, APP.id);
      assert.equal(principal.method, 'introspection');
    } finally {
      await auth.close();
    }
  });

  it('verifies its RFC 9068 JWT access tokens locally with the keys of its JWKS', async () => {
    const auth = createAuthenticator({
      config: {
        jwt: { trustedIssuerUrls: [issuer], expectedAudience: ['urn:example:jwt'], requireType: 'at+jwt' },
      },
    });
    try {
      const token = await clientCredentialsToken('urn:example:jwt');
      const principal = await auth.authenticate({ headers: { authorization: `Bearer ${token}` } });
      assert.equal(principal.method, 'jwt');
      assert.equal(principal.clientId, APP.id);
      assert.deepEqual(principal.audience, ['urn:example:jwt']);

      const wrongAudience = createAuthenticator({
        config: { jwt: { trustedIssuerUrls: [issuer], expectedAudience: ['urn:example:other'] } },
      });
      await assert.rejects(
        wrongAudience.authenticate({ headers: { authorization: `Bearer ${token}` } }),
        (error: unknown) => error instanceof TokenguardError && error.code === 'authenticationFailed',
      );
      await wrongAudience.close();
    } finally {
      await auth.close();
    }
  });
});
