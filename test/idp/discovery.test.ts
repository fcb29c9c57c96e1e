/**
 * @module test/idp/discovery.test
 * Discovery (RFC 8414 / OIDC Discovery) and JWKS (RFC 7517) at every path of every profile: the issuer of
 * each document is the one its URL was built from (RFC 8414 §3.3, checked by the library's own metadata
 * validation), the endpoints are that profile's, and the published keys verify the tokens issued there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { parseMetadataDocument } from '../../src/discovery/metadata-document.ts';
import type { Idp } from '../../src/idp/server.ts';
import { authkitToken, basic, postForm, startSeedIdp } from './support/seed-idp.ts';

async function metadata(url: string, issuer: string): Promise<Record<string, unknown>> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  assert.match(response.headers.get('cache-control') ?? '', /max-age=\d+/);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = await response.text();
  // The library's RFC 8414 §3.3 check: issuer identical to the one the document was requested for.
  return parseMetadataDocument(body, issuer, url) as unknown as Record<string, unknown>;
}

describe('discovery and JWKS', () => {
  let idp: Idp;
  before(async () => {
    idp = await startSeedIdp();
  });
  after(() => idp.close());

  it('root documents describe the first profile (standard) with explicit auth methods', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const document = await metadata(`${idp.url}${path}`, idp.issuer);
      assert.equal(document.issuer, idp.issuer);
      assert.equal(document.token_endpoint, `${idp.url}/oauth2/token`);
      assert.equal(document.introspection_endpoint, `${idp.url}/oauth2/introspect`);
      assert.equal(document.revocation_endpoint, `${idp.url}/oauth2/revoke`);
      assert.equal(document.jwks_uri, `${idp.url}/oauth2/jwks`);
      // Browser sign-in (idp/browser): the authorization code flow is the one response type.
      assert.deepEqual(document.response_types_supported, ['code']);
      assert.deepEqual(document.introspection_signing_alg_values_supported, ['RS256']);
      assert.ok((document.grant_types_supported as string[]).includes('client_credentials'));
      assert.ok(!(document.grant_types_supported as string[]).includes('password'), 'legacy grant off');
      assert.deepEqual(document.introspection_endpoint_auth_methods_supported, [
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
        'Bearer',
      ]);
      assert.ok((document.token_endpoint_auth_signing_alg_values_supported as string[]).includes('RS256'));
      // Public clients (auth method none) use the token endpoint only.
      assert.deepEqual(
        [...(document.revocation_endpoint_auth_methods_supported as string[]), 'none'],
        document.token_endpoint_auth_methods_supported,
      );
      assert.deepEqual(document.scopes_supported, ['email', 'openid', 'profile', 'read', 'write']);
    }
  });

  it('tenant documents: /t/{tenant}/.well-known/… and RFC 8414 §3.1 /.well-known/oauth-authorization-server/t/{tenant}', async () => {
    const issuer = `${idp.url}/t/foo.com`;
    for (const path of [
      '/t/foo.com/.well-known/openid-configuration',
      '/t/foo.com/.well-known/oauth-authorization-server',
      '/.well-known/oauth-authorization-server/t/foo.com',
    ]) {
      const document = await metadata(`${idp.url}${path}`, issuer);
      assert.equal(document.token_endpoint, `${issuer}/oauth2/token`);
      assert.equal(document.introspection_endpoint, `${issuer}/oauth2/introspect`);
      assert.deepEqual(document.scopes_supported, ['email', 'openid', 'profile', 'test1', 'test2']);
    }
  });

  it('Keycloak realms: /realms/{realm}/.well-known/openid-configuration', async () => {
    for (const realm of ['default', 'foo.com']) {
      const issuer = `${idp.url}/realms/${realm}`;
      const document = await metadata(`${issuer}/.well-known/openid-configuration`, issuer);
      assert.equal(document.token_endpoint, `${issuer}/protocol/openid-connect/token`);
      assert.equal(document.introspection_endpoint, `${issuer}/protocol/openid-connect/token/introspect`);
      assert.equal(document.revocation_endpoint, `${issuer}/protocol/openid-connect/revoke`);
      assert.equal(document.jwks_uri, `${issuer}/protocol/openid-connect/certs`);
    }
  });

  it('authkit first: the root document names /idp/* and no revocation endpoint', async () => {
    const authkit = await startSeedIdp({ profiles: ['authkit', 'standard'] });
    try {
      const document = await metadata(`${authkit.url}/.well-known/openid-configuration`, authkit.issuer);
      assert.equal(document.token_endpoint, `${authkit.url}/idp/token`);
      assert.equal(document.introspection_endpoint, `${authkit.url}/idp/introspect_token`);
      assert.equal(document.jwks_uri, `${authkit.url}/idp/keys`);
      assert.equal(document.revocation_endpoint, undefined);
      // A profile that is not enabled is not served.
      const keycloak = await fetch(`${authkit.url}/realms/default/.well-known/openid-configuration`);
      assert.equal(keycloak.status, 404);
    } finally {
      await authkit.close();
    }
  });

  it('a configured issuer (behind a proxy) is the base of every advertised URL; url stays the bound address', async () => {
    const proxied = await startSeedIdp({ issuer: 'https://login.example.com/' });
    try {
      assert.equal(proxied.issuer, 'https://login.example.com');
      assert.match(proxied.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const document = await metadata(
        `${proxied.url}/t/foo.com/.well-known/openid-configuration`,
        'https://login.example.com/t/foo.com',
      );
      assert.equal(document.token_endpoint, 'https://login.example.com/t/foo.com/oauth2/token');
    } finally {
      await proxied.close();
    }
  });

  it('HEAD answers the headers without a body', async () => {
    const response = await fetch(`${idp.url}/.well-known/openid-configuration`, { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
  });

  it('every JWKS path of a tenant publishes the key that signs its tokens; tenants have their own keys', async () => {
    const sets: { keys: { kid: string }[] }[] = [];
    for (const path of ['/oauth2/jwks', '/realms/default/protocol/openid-connect/certs', '/idp/keys']) {
      const response = await fetch(`${idp.url}${path}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/jwk-set+json');
      sets.push((await response.json()) as { keys: { kid: string }[] });
    }
    assert.deepEqual(sets[1], sets[0]);
    assert.deepEqual(sets[2], sets[0]);
    const token = await authkitToken(idp, 'user', 'user-pwd');
    const { payload } = await jwtVerify(token, createLocalJWKSet(sets[0] as never));
    assert.equal(payload.sub, 'user');

    const tenantSet = (await (await fetch(`${idp.url}/t/foo.com/oauth2/jwks`)).json()) as {
      keys: { kid: string }[];
    };
    const defaultKids = new Set(sets[0].keys.map((key) => key.kid));
    assert.ok(tenantSet.keys.length > 0);
    assert.ok(
      tenantSet.keys.every((key) => !defaultKids.has(key.kid)),
      'no key shared between tenants',
    );
  });

  it('a key rotation publishes the new key beside the old one, and new tokens use it', async () => {
    const before = await authkitToken(idp, 'user', 'user-pwd');
    const rotated = await idp.keys.rotate('default');
    const after = await authkitToken(idp, 'user', 'user-pwd');
    assert.equal(decodeProtectedHeader(after).kid, rotated.kid);
    assert.notEqual(decodeProtectedHeader(before).kid, rotated.kid);
    const set = await (await fetch(`${idp.url}/oauth2/jwks`)).json();
    const keys = createLocalJWKSet(set as never);
    await jwtVerify(before, keys);
    await jwtVerify(after, keys);
    // The old token still introspects as active at its own tenant.
    const answer = await postForm(
      `${idp.url}/oauth2/introspect`,
      { token: before },
      { authorization: basic('user', 'user-pwd') },
    );
    assert.equal(answer.json().active, true);
  });
});
