/**
 * @module introspection/tls.test
 * `tls_client_auth` (RFC 8705 §2) over real mutual TLS: an HTTPS stub IdP that requires a client
 * certificate signed by its CA, and an HttpClient built from `readTlsOptions`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sendJson } from '../../test/support/loopback.ts';
import { HttpIntrospectionTransport } from './http-transport.ts';
import { introspectionConfig, rejectsUnavailable, testHttpClient } from './test-support/fixtures.ts';
import { StubMetadataSource } from './test-support/metadata-source.ts';
import { createTestPki, type TestPki } from './test-support/pki.ts';
import { StubIdp } from './test-support/stub-idp.ts';
import { readTlsOptions } from './tls.ts';

const TOKEN = 'opaque-token-3';

describe('tls_client_auth over mutual TLS', () => {
  let pki: TestPki;
  let idp: StubIdp;

  before(async () => {
    pki = createTestPki('rs-client');
    idp = await new StubIdp({
      key: readFileSync(pki.serverKey),
      cert: readFileSync(pki.serverCert),
      ca: readFileSync(pki.caCert),
      requestCert: true,
      rejectUnauthorized: true,
    }).start();
    idp.handler = (request, response) =>
      sendJson(response, 200, { active: true, sub: 'alice', presented: request.clientCertificate });
  });
  after(async () => {
    await idp.close();
    pki.remove();
  });

  function config(tls: { caCert: string; clientCert?: string; clientKey?: string }) {
    return introspectionConfig({
      endpoint: idp.url('/introspect'),
      clientAuth: { method: 'tls_client_auth', clientId: 'rs' },
      tls,
    });
  }

  it('authenticates with the client certificate and names the client in the form', async () => {
    const introspection = config({
      caCert: pki.caCert,
      clientCert: pki.clientCert,
      clientKey: pki.clientKey,
    });
    const http = testHttpClient({ tls: readTlsOptions(introspection.tls) });
    try {
      const transport = new HttpIntrospectionTransport(introspection, {
        http,
        metadata: new StubMetadataSource(http),
      });
      assert.deepEqual(await transport.introspect(TOKEN), {
        active: true,
        sub: 'alice',
        presented: 'rs-client',
      });
      const [request] = idp.requests;
      assert.equal(request.clientCertificate, 'rs-client');
      assert.deepEqual(
        [...request.form],
        [
          ['token', TOKEN],
          ['client_id', 'rs'],
        ],
      );
      assert.ok(transport.id.startsWith(`${idp.url('/introspect')}|tls_client_auth:rs||`));
    } finally {
      await http.close();
    }
  });

  it('cannot reach an IdP that requires a certificate without one', async () => {
    const http = testHttpClient({ tls: readTlsOptions(config({ caCert: pki.caCert }).tls) });
    const requestsBefore = idp.requests.length;
    try {
      const transport = new HttpIntrospectionTransport(
        introspectionConfig({ endpoint: idp.url('/introspect'), clientAuth: { method: 'none' } }),
        { http, metadata: new StubMetadataSource(http) },
      );
      await rejectsUnavailable(transport.introspect(TOKEN), 'idp_unreachable', [TOKEN]);
      assert.equal(idp.requests.length, requestsBefore, 'no request got through');
    } finally {
      await http.close();
    }
  });

  it('reads the PEM files, and refuses incomplete or unreadable settings', () => {
    const options = readTlsOptions(
      config({ caCert: pki.caCert, clientCert: pki.clientCert, clientKey: pki.clientKey }).tls,
    );
    assert.match(String(options?.ca), /BEGIN CERTIFICATE/);
    assert.match(String(options?.key), /PRIVATE KEY/);
    assert.equal(readTlsOptions(introspectionConfig({}).tls), undefined, 'nothing to set');
    assert.deepEqual(readTlsOptions(introspectionConfig({ tls: { rejectUnauthorized: false } }).tls), {
      rejectUnauthorized: false,
    });
    assert.throws(() => readTlsOptions(config({ caCert: pki.caCert, clientCert: pki.clientCert }).tls), {
      code: 'configInvalid',
      path: 'auth.introspection.tls.clientCert',
    });
    assert.throws(() => readTlsOptions(config({ caCert: join(pki.dir, 'missing.crt') }).tls), {
      code: 'configInvalid',
      path: 'auth.introspection.tls.caCert',
    });
  });
});
