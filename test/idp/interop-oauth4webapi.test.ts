/**
 * @module test/idp/interop-oauth4webapi.test
 * Interoperability with a standard client no one here wrote: oauth4webapi (panva) discovers the IdP,
 * obtains a client-credentials token with client_secret_basic and with private_key_jwt, introspects it
 * asking for an RFC 9701 JWT answer (which it validates: typ, iss, aud, iat, token_introspection, and the
 * signature against the IdP's JWKS), and revokes it. Plain HTTP on loopback needs its
 * `allowInsecureRequests` switch; nothing else is bent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportJWK, type GenerateKeyPairResult, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import type { Idp } from '../../src/idp/server.ts';
import { seedConfig, startSeedIdp } from './support/seed-idp.ts';

describe('oauth4webapi against the IdP', () => {
  let idp: Idp;
  let as: oauth.AuthorizationServer;
  let keyPair: GenerateKeyPairResult;
  const options = { [oauth.allowInsecureRequests]: true };
  const client: oauth.Client = { client_id: 'svc', introspection_signed_response_alg: 'RS256' };

  before(async () => {
    keyPair = await generateKeyPair('RS256');
    const publicJwk = { ...(await exportJWK(keyPair.publicKey)), kid: 'pkj', alg: 'RS256' };
    idp = await startSeedIdp({
      clients: [...(seedConfig().clients ?? []), { id: 'pkj-client', jwks: { keys: [publicJwk] } }],
    });
    const issuer = new URL(idp.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, options));
  });
  after(() => idp.close());

  it('discovers the IdP', () => {
    assert.equal(as.issuer, idp.issuer);
    assert.equal(as.introspection_endpoint, `${idp.url}/oauth2/introspect`);
  });

  it('token, RFC 9701 introspection (signature validated) and revocation with client_secret_basic', async () => {
    const auth = oauth.ClientSecretBasic('svc-secret');
    const tokenResponse = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(as, client, auth, { scope: 'read' }, options),
    );
    assert.equal(tokenResponse.token_type, 'bearer');
    assert.equal(tokenResponse.scope, 'read');

    const response = await oauth.introspectionRequest(as, client, auth, tokenResponse.access_token, {
      ...options,
      requestJwtResponse: true,
    });
    assert.equal(response.headers.get('content-type'), 'application/token-introspection+jwt');
    const introspection = await oauth.processIntrospectionResponse(as, client, response);
    // After processing: the signature of the JWT answer against the jwks_uri keys.
    await oauth.validateApplicationLevelSignature(as, response, options);
    assert.equal(introspection.active, true);
    assert.equal(introspection.client_id, 'svc');
    assert.equal(introspection.scope, 'read');

    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, auth, tokenResponse.access_token, options),
    );
    const after = await oauth.processIntrospectionResponse(
      as,
      { client_id: 'svc' },
      await oauth.introspectionRequest(as, { client_id: 'svc' }, auth, tokenResponse.access_token, options),
    );
    assert.equal(after.active, false);
  });

  it('private_key_jwt assertions made by oauth4webapi are accepted', async () => {
    const pkjClient: oauth.Client = { client_id: 'pkj-client' };
    const auth = oauth.PrivateKeyJwt({ key: keyPair.privateKey, kid: 'pkj' });
    const tokenResponse = await oauth.processClientCredentialsResponse(
      as,
      pkjClient,
      await oauth.clientCredentialsGrantRequest(as, pkjClient, auth, {}, options),
    );
    const introspection = await oauth.processIntrospectionResponse(
      as,
      pkjClient,
      await oauth.introspectionRequest(as, pkjClient, auth, tokenResponse.access_token, options),
    );
    assert.equal(introspection.active, true);
    assert.equal(introspection.sub, 'pkj-client');
  });
});
