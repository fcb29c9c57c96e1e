/**
 * The library against the IdP, everything found by discovery (issue 3): local JWT verification with the
 * JWKS its discovery document names, and introspection at the endpoint it names, for JWT and opaque tokens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { requireScopes } from '../../src/authz/scopes.ts';
import { isTokenguardError } from '../../src/errors/tokenguard-error.ts';
import { createIdp } from '../../src/idp/index.ts';
import { createAuthenticator } from '../../src/pipeline/create-authenticator.ts';

type Idp = Awaited<ReturnType<typeof createIdp>>;
const SECRET = 'app-secret-0123456789-0123456789';
const RS_SECRET = 'rs-secret-0123456789-0123456789';

async function clientToken(idp: Idp, clientId: string): Promise<string> {
  const response = await fetch(`${idp.url}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${SECRET}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=read',
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('the library against the IdP by discovery', () => {
  let idp: Idp;
  before(async () => {
    idp = await createIdp({
      port: 0,
      store: 'memory',
      logLevel: 'warn',
      clients: [
        {
          id: 'app-jwt',
          secret: SECRET,
          scopes: ['read'],
          tokenFormat: 'jwt',
          audience: ['resource-server'],
        },
        { id: 'app-opaque', secret: SECRET, scopes: ['read'], tokenFormat: 'opaque' },
        { id: 'resource-server', secret: RS_SECRET, grantTypes: [], canIntrospect: true },
      ],
    });
  });
  after(() => idp.close());

  it('verifies its JWT access tokens locally with the keys its discovery document names', async () => {
    const auth = createAuthenticator({
      config: {
        jwt: {
          trustedIssuerUrls: [idp.issuer],
          expectedAudience: ['resource-server'],
          requireType: 'at+jwt',
        },
      },
    });
    try {
      const token = await clientToken(idp, 'app-jwt');
      const principal = await auth.check(
        { headers: { authorization: `Bearer ${token}` } },
        { authorize: requireScopes(['read']) },
      );
      assert.equal(principal.method, 'jwt');
      assert.equal(principal.clientId, 'app-jwt');
      assert.equal(principal.issuer, idp.issuer);
    } finally {
      await auth.close();
    }
  });

  it('introspects JWTs at the endpoint discovered from the token issuer, and sees a revocation', async () => {
    const auth = createAuthenticator({
      config: {
        jwt: { trustedIssuerUrls: [idp.issuer] },
        introspection: {
          enabled: true,
          clientAuth: { clientId: 'resource-server', clientSecret: RS_SECRET },
        },
      },
    });
    try {
      const token = await clientToken(idp, 'app-jwt');
      const request = { headers: { authorization: `Bearer ${token}` } };
      assert.equal((await auth.authenticate(request)).method, 'introspection');
      const revoked = await fetch(`${idp.url}/oauth2/revoke`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`app-jwt:${SECRET}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token }),
      });
      assert.equal(revoked.status, 200);
      await auth.invalidate(token);
      await assert.rejects(
        auth.authenticate(request),
        (error) => isTokenguardError(error) && error.reason === 'token_inactive',
      );
    } finally {
      await auth.close();
    }
  });

  it('introspects opaque tokens at the endpoint discovered from a configured issuer', async () => {
    const auth = createAuthenticator({
      config: {
        introspection: {
          issuer: idp.issuer,
          clientAuth: { clientId: 'resource-server', clientSecret: RS_SECRET },
        },
      },
    });
    try {
      const token = await clientToken(idp, 'app-opaque');
      const principal = await auth.authenticate({ headers: { authorization: `Bearer ${token}` } });
      assert.equal(principal.clientId, 'app-opaque');
      assert.ok(principal.scopes.has('read'));
    } finally {
      await auth.close();
    }
  });
});
