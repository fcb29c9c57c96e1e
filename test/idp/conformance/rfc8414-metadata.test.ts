/**
 * @module test/idp/conformance/rfc8414-metadata.test
 * RFC checklist (idp-standards.md §1.10) row 17: authorization server metadata. The introspection,
 * revocation and RFC 9701 members are present and consistent with what the endpoints do: every advertised
 * authentication method is accepted there, the signing algorithms are listed when JWT authentication is,
 * the JWKS holds the keys that sign, and `issuer` is the URL the document was requested under (RFC 8414
 * §3.3), under both `/.well-known/oauth-authorization-server` and `/.well-known/openid-configuration`.
 *
 * The standard profile's documents are at the root; the Keycloak realm `default` has its own issuer
 * (`/realms/default`) and documents, also at RFC 8414 §3.1's inserted form. The authkit profile has no
 * discovery document of its own (the root documents describe the first profile), so it is not covered here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { Idp } from '../../../src/idp/server.ts';
import { postForm, STATIC_TOKEN } from '../support/seed-idp.ts';
import {
  accessToken,
  auth,
  INTROSPECTION_JWT,
  issuerOf,
  KEYCLOAK,
  type ProfilePaths,
  pkjwtAssertion,
  SECRETS,
  STANDARD,
  startConformanceIdp,
  withAssertion,
} from './conformance-idp.ts';

let idp: Idp;
before(async () => {
  idp = await startConformanceIdp();
});
after(() => idp.close());

type Metadata = Record<string, unknown>;

/** The metadata URLs of a profile's default-tenant issuer. */
function documentUrls(profile: ProfilePaths): string[] {
  const issuer = issuerOf(idp, profile);
  const urls = [
    `${issuer}/.well-known/oauth-authorization-server`,
    `${issuer}/.well-known/openid-configuration`,
  ];
  // RFC 8414 §3.1: for an issuer with a path, the well-known segment goes between host and path.
  if (profile.issuerPath) urls.push(`${idp.url}/.well-known/oauth-authorization-server${profile.issuerPath}`);
  return urls;
}

async function fetchMetadata(url: string): Promise<Metadata> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/, url);
  return (await response.json()) as Metadata;
}

const strings = (value: unknown): string[] => {
  assert.ok(Array.isArray(value) && value.length > 0 && value.every((entry) => typeof entry === 'string'));
  return value as string[];
};

/** The form members (and headers) that authenticate as one advertised method, for `endpoint`. */
async function credentials(
  method: string,
  profile: ProfilePaths,
): Promise<{ headers: Record<string, string>; form: Record<string, string> }> {
  switch (method) {
    case 'client_secret_basic':
      return { headers: auth('owner'), form: {} };
    case 'client_secret_post':
      return { headers: {}, form: { client_id: 'owner', client_secret: SECRETS.owner } };
    case 'private_key_jwt':
      return { headers: {}, form: withAssertion(await pkjwtAssertion(issuerOf(idp, profile))) };
    case 'Bearer':
      return { headers: { authorization: `Bearer ${STATIC_TOKEN}` }, form: {} };
    default:
      throw new Error(`the test knows no credentials for ${method}`);
  }
}

describe('§1.10 row 17 — RFC 8414 §2, §3, RFC 9701 §7: metadata with introspection, revocation, JWKS and RFC 9701 members, consistent and served at both well-known names', () => {
  for (const profile of [STANDARD, KEYCLOAK]) {
    it(`${profile.name}: every well-known URL serves the same document, whose issuer is the URL prefix`, async () => {
      const issuer = issuerOf(idp, profile);
      const documents = await Promise.all(documentUrls(profile).map(fetchMetadata));
      for (const [index, document] of documents.entries()) {
        assert.equal(document.issuer, issuer, documentUrls(profile)[index]);
        assert.deepEqual(
          document,
          documents[0],
          `${documentUrls(profile)[index]} = ${documentUrls(profile)[0]}`,
        );
      }
    });

    it(`${profile.name}: the introspection, revocation, JWKS and RFC 9701 members are present and well-formed`, async () => {
      const issuer = issuerOf(idp, profile);
      const document = await fetchMetadata(documentUrls(profile)[0]);
      assert.equal(document.introspection_endpoint, `${idp.url}${profile.introspect}`);
      assert.equal(document.revocation_endpoint, `${idp.url}${profile.revoke}`);
      assert.equal(document.jwks_uri, `${idp.url}${profile.jwks}`);
      for (const member of ['introspection_endpoint', 'revocation_endpoint', 'jwks_uri', 'token_endpoint']) {
        assert.ok((document[member] as string).startsWith(`${issuer}/`), `${member} below the issuer`);
      }
      const introspectionMethods = strings(document.introspection_endpoint_auth_methods_supported);
      const revocationMethods = strings(document.revocation_endpoint_auth_methods_supported);
      assert.ok(introspectionMethods.includes('client_secret_basic'));
      assert.ok(revocationMethods.includes('client_secret_basic'), 'RFC 6749 §2.3.1: MUST support Basic');
      // RFC 8414 §2: the signing algorithms MUST be listed when a JWT method is; never `none`.
      for (const [methods, algs] of [
        [introspectionMethods, 'introspection_endpoint_auth_signing_alg_values_supported'],
        [revocationMethods, 'revocation_endpoint_auth_signing_alg_values_supported'],
      ] as const) {
        if (methods.includes('private_key_jwt') || methods.includes('client_secret_jwt')) {
          const list = strings(document[algs]);
          assert.ok(list.includes('RS256'), algs);
          assert.ok(!list.includes('none'), `${algs} without none`);
        }
      }
      const signing = strings(document.introspection_signing_alg_values_supported);
      assert.ok(signing.includes('RS256'), 'RFC 9701 default');
      assert.ok(!signing.includes('none'));
      assert.ok(!introspectionMethods.includes('tls_client_auth'), 'no mTLS method over plain HTTP');
    });

    it(`${profile.name}: every advertised introspection method is accepted at introspection_endpoint`, async () => {
      const document = await fetchMetadata(documentUrls(profile)[0]);
      const token = await accessToken(idp, 'owner');
      for (const method of strings(document.introspection_endpoint_auth_methods_supported)) {
        const { headers, form } = await credentials(method, profile);
        const answer = await postForm(document.introspection_endpoint as string, { token, ...form }, headers);
        assert.equal(answer.status, 200, `${method}: ${answer.text}`);
        assert.equal(typeof answer.json().active, 'boolean', method);
      }
    });

    it(`${profile.name}: every advertised revocation method is accepted at revocation_endpoint`, async () => {
      const document = await fetchMetadata(documentUrls(profile)[0]);
      for (const method of strings(document.revocation_endpoint_auth_methods_supported)) {
        const { headers, form } = await credentials(method, profile);
        const token = await accessToken(idp, 'owner');
        const answer = await postForm(document.revocation_endpoint as string, { token, ...form }, headers);
        assert.equal(answer.status, 200, `${method}: ${answer.text}`);
      }
    });

    it(`${profile.name}: jwks_uri publishes the keys that sign its access tokens and RFC 9701 answers`, async () => {
      const document = await fetchMetadata(documentUrls(profile)[0]);
      const response = await fetch(document.jwks_uri as string);
      assert.equal(response.status, 200);
      const jwks = createLocalJWKSet((await response.json()) as never);
      const token = await accessToken(idp, 'owner', { profile });
      const { payload } = await jwtVerify(token, jwks, { issuer: document.issuer as string });
      assert.equal(payload.client_id, 'owner');
      const signed = await postForm(
        document.introspection_endpoint as string,
        { token },
        { ...auth('owner'), accept: INTROSPECTION_JWT },
      );
      const verified = await jwtVerify(signed.text, jwks, {
        issuer: document.issuer as string,
        audience: 'owner',
      });
      assert.ok(
        strings(document.introspection_signing_alg_values_supported).includes(
          decodeProtectedHeader(signed.text).alg as string,
        ),
      );
      assert.equal((verified.payload.token_introspection as Record<string, unknown>).active, true);
    });
  }
});
