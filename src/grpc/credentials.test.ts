/**
 * @module grpc/credentials.test
 * `auth.introspection.grpc.tls` → channel credentials: plaintext, TLS, mutual TLS, and the configuration
 * mistakes that must stop the start (each naming the key to fix). The handshakes themselves are tested
 * against real servers in `test/grpc/tls.test.ts`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { type AuthConfig, authConfigSchema } from '../config/schema.ts';
import { TokenguardError } from '../errors/tokenguard-error.ts';
import { createTestPki, type TestPki } from '../introspection/test-support/pki.ts';
import { channelCredentials, readGrpcTls } from './credentials.ts';

type TlsInput = Partial<AuthConfig['introspection']['grpc']['tls']>;

function tlsConfig(input: TlsInput) {
  return authConfigSchema.parse({ introspection: { grpc: { endpoint: 'idp:50051', tls: input } } })
    .introspection.grpc.tls;
}

function rejects(read: () => unknown, path: string, message: RegExp): void {
  assert.throws(read, (error: unknown) => {
    assert.ok(error instanceof TokenguardError);
    assert.equal(error.code, 'configInvalid');
    assert.equal(error.path, path);
    assert.match(error.message, message);
    return true;
  });
}

let pki: TestPki;
before(() => {
  pki = createTestPki('grpc-client');
});
after(() => pki.remove());

describe('readGrpcTls', () => {
  it('is plaintext when TLS is off', () => {
    assert.equal(readGrpcTls(tlsConfig({})), undefined);
  });

  it('refuses certificate files with TLS off instead of sending tokens in clear', () => {
    rejects(
      () => readGrpcTls(tlsConfig({ caCert: pki.caCert })),
      'auth.introspection.grpc.tls.enabled',
      /must be true when caCert is set/,
    );
  });

  it('reads the CA, and the client certificate with its key for mutual TLS', () => {
    const tls = readGrpcTls(
      tlsConfig({ enabled: true, caCert: pki.caCert, clientCert: pki.clientCert, clientKey: pki.clientKey }),
    );
    assert.match(tls?.ca?.toString() ?? '', /BEGIN CERTIFICATE/);
    assert.match(tls?.cert?.toString() ?? '', /BEGIN CERTIFICATE/);
    assert.match(tls?.key?.toString() ?? '', /PRIVATE KEY/);
  });

  it('uses the system roots when TLS is on without a CA file', () => {
    assert.deepEqual(readGrpcTls(tlsConfig({ enabled: true })), {});
  });

  it('names clientKey when a certificate comes without its key, and clientCert the other way round', () => {
    rejects(
      () => readGrpcTls(tlsConfig({ enabled: true, clientCert: pki.clientCert })),
      'auth.introspection.grpc.tls.clientKey',
      /clientKey: is required with clientCert/,
    );
    rejects(
      () => readGrpcTls(tlsConfig({ enabled: true, clientKey: pki.clientKey })),
      'auth.introspection.grpc.tls.clientCert',
      /clientCert: is required with clientKey/,
    );
  });

  it('names the key of a file that cannot be read', () => {
    rejects(
      () => readGrpcTls(tlsConfig({ enabled: true, caCert: `${pki.dir}/missing.pem` })),
      'auth.introspection.grpc.tls.caCert',
      /cannot read the file .*missing\.pem/,
    );
  });
});

describe('channelCredentials', () => {
  it('makes insecure credentials for plaintext, secure ones for TLS', () => {
    assert.equal(channelCredentials(grpc, undefined)._isSecure(), false);
    assert.equal(channelCredentials(grpc, {})._isSecure(), true);
  });

  it('turns a key that does not parse into a configuration error', () => {
    const cert = readFileSync(pki.clientCert);
    const key = Buffer.from('-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n');
    rejects(() => channelCredentials(grpc, { cert, key }), 'auth.introspection.grpc.tls', /cannot be used/);
  });
});
