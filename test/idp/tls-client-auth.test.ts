/**
 * @module test/idp/tls-client-auth.test
 * The IdP over HTTPS with client certificates (RFC 8705 §2 `tls_client_auth`): a client whose certificate
 * chains to the configured CA and carries its registered subject DN gets a token; another subject, a
 * certificate-less connection or plain `client_id` without a certificate does not. Discovery lists the
 * method only when the server speaks TLS.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Agent, fetch } from 'undici';
import type { Idp } from '../../src/idp/server.ts';
import { createTestPki, type TestPki } from '../../src/introspection/test-support/pki.ts';
import { startSeedIdp } from './support/seed-idp.ts';

describe('tls_client_auth over HTTPS', () => {
  let pki: TestPki;
  let idp: Idp;
  let withCert: Agent;
  let withoutCert: Agent;

  before(async () => {
    pki = createTestPki('mtls-client');
    idp = await startSeedIdp({
      tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, requestClientCert: true },
      clients: [
        { id: 'mtls', tlsSubjectDn: 'CN=mtls-client' },
        { id: 'other-dn', tlsSubjectDn: 'CN=someone-else' },
        { id: 'svc', secret: 'svc-secret' },
      ],
    });
    const ca = readFileSync(pki.caCert);
    withCert = new Agent({
      connect: { ca, cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) },
    });
    withoutCert = new Agent({ connect: { ca } });
  });
  after(async () => {
    await idp.close();
    await withCert.close();
    await withoutCert.close();
    pki.remove();
  });

  async function token(agent: Agent, form: Record<string, string>) {
    const response = await fetch(`${idp.url}/oauth2/token`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('serves HTTPS and advertises tls_client_auth', async () => {
    assert.match(idp.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const document = (await (
      await fetch(`${idp.url}/.well-known/openid-configuration`, { dispatcher: withoutCert })
    ).json()) as Record<string, string[]>;
    assert.ok(document.token_endpoint_auth_methods_supported.includes('tls_client_auth'));
  });

  it('the registered subject DN authenticates the client', async () => {
    const answer = await token(withCert, { grant_type: 'client_credentials', client_id: 'mtls' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(typeof answer.body.access_token, 'string');
  });

  it('another subject, no certificate, or a certificate-only client without it → invalid_client', async () => {
    assert.equal(
      (await token(withCert, { grant_type: 'client_credentials', client_id: 'other-dn' })).status,
      401,
    );
    const noCert = await token(withoutCert, { grant_type: 'client_credentials', client_id: 'mtls' });
    assert.equal(noCert.status, 401);
    assert.equal(noCert.body.error, 'invalid_client');
  });

  it('clients of other methods still connect without a certificate', async () => {
    const answer = await token(withoutCert, {
      grant_type: 'client_credentials',
      client_id: 'svc',
      client_secret: 'svc-secret',
    });
    assert.equal(answer.status, 200);
  });
});
