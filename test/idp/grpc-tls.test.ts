/**
 * @module test/idp/grpc-tls.test
 * The IdP's gRPC service over TLS and mutual TLS (`idp.grpc.tls`), with certificates generated for the test
 * (openssl): the library's gRPC transport verifies the IdP against the generated CA; with
 * `requireClientCert` a client certificate of that CA is admitted, while a client without one, or with one
 * of another CA, fails with an error that says so and never reaches a handler. Certificate files that
 * cannot be read or do not fit their key stop start-up naming the key.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, afterEach, before, describe, it } from 'node:test';
import { TokenguardError } from '../../src/errors/tokenguard-error.ts';
import { createGrpcAuthenticator } from '../../src/grpc/create.ts';
import type { IdpConfigInput } from '../../src/idp/config/schema.ts';
import { createIdp, type Idp } from '../../src/idp/server.ts';
import type { TestPki } from '../../src/introspection/test-support/pki.ts';
import { createLogger, silentLogger } from '../../src/observability/logger.ts';
import type { Authenticator } from '../../src/pipeline/authenticator.ts';
import { createGrpcTestPki, type GrpcTestPki } from '../grpc/support/pki.ts';
import { authkitToken, STATIC_TOKEN, seedConfig } from './support/seed-idp.ts';

type GrpcTls = NonNullable<NonNullable<IdpConfigInput['grpc']>['tls']>;

interface ClientTls {
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
}

describe('IdP gRPC service over TLS', () => {
  let pki: GrpcTestPki;
  let main: TestPki;
  const idps: Idp[] = [];
  const authenticators: Authenticator[] = [];

  before(() => {
    pki = createGrpcTestPki();
    main = pki.main;
  });
  after(() => pki.remove());
  afterEach(async () => {
    await Promise.all(authenticators.splice(0).map((auth) => auth.close()));
    await Promise.all(idps.splice(0).map((idp) => idp.close()));
  });

  /** The seed IdP with `tls` on its gRPC listener; `lines` collects its log. */
  async function startIdp(tls: GrpcTls, lines: string[] = []): Promise<Idp> {
    const logger = createLogger({
      destination: new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    });
    const idp = await createIdp(seedConfig({ grpc: { enabled: true, port: 0, tls } }), { logger });
    idps.push(idp);
    return idp;
  }

  async function authenticator(idp: Idp, tls: ClientTls): Promise<Authenticator> {
    const auth = await createGrpcAuthenticator({
      config: {
        introspection: {
          grpc: { endpoint: idp.grpcAddress as string, tls: { enabled: true, ...tls } },
          clientAuth: { method: 'bearer', accessToken: STATIC_TOKEN },
        },
      },
    });
    authenticators.push(auth);
    return auth;
  }

  const serverTls = (): GrpcTls => ({ cert: main.serverCert, key: main.serverKey });
  const mutualTls = (): GrpcTls => ({ ...serverTls(), ca: main.caCert, requireClientCert: true });

  /** Authenticates seed 000's `user` token through `auth`. */
  async function userSubject(idp: Idp, auth: Authenticator): Promise<string | undefined> {
    const token = await authkitToken(idp, 'user', 'user-pwd');
    const principal = await auth.authenticate({ headers: { authorization: `Bearer ${token}` } });
    return principal.subject;
  }

  /** The 503 a TLS failure becomes, whose detail must say what failed. */
  async function failsWith(idp: Idp, auth: Authenticator, detail: RegExp): Promise<void> {
    const token = await authkitToken(idp, 'user', 'user-pwd');
    await assert.rejects(
      auth.authenticate({ headers: { authorization: `Bearer ${token}` } }),
      (error: unknown) => {
        assert.ok(error instanceof TokenguardError);
        assert.equal(error.reason, 'idp_unavailable');
        assert.match(error.detail ?? '', detail);
        return true;
      },
    );
  }

  const callLines = (lines: string[]) => lines.filter((line) => line.includes('call completed'));

  it('TLS: the library verifies the IdP against the generated CA and introspects', async () => {
    const lines: string[] = [];
    const idp = await startIdp(serverTls(), lines);
    assert.equal(await userSubject(idp, await authenticator(idp, { caCert: main.caCert })), 'user');
    assert.ok(lines.some((line) => line.includes('"tls":true') && line.includes('"mtls":false')));
  });

  it('TLS: a client trusting another CA refuses the IdP, saying why', async () => {
    const idp = await startIdp(serverTls());
    await failsWith(
      idp,
      await authenticator(idp, { caCert: pki.foreign.caCert }),
      /unable to verify the first certificate/,
    );
  });

  it('mutual TLS: a client certificate of the CA is admitted', async () => {
    const idp = await startIdp(mutualTls());
    const auth = await authenticator(idp, {
      caCert: main.caCert,
      clientCert: main.clientCert,
      clientKey: main.clientKey,
    });
    assert.equal(await userSubject(idp, auth), 'user');
  });

  it('mutual TLS: a client without a certificate fails clearly and reaches no handler', async () => {
    const lines: string[] = [];
    const idp = await startIdp(mutualTls(), lines);
    await failsWith(idp, await authenticator(idp, { caCert: main.caCert }), /certificate required/);
    assert.deepEqual(callLines(lines), []);
  });

  it('mutual TLS: a client certificate of another CA is refused', async () => {
    const lines: string[] = [];
    const idp = await startIdp(mutualTls(), lines);
    const auth = await authenticator(idp, {
      caCert: main.caCert,
      clientCert: pki.foreign.clientCert,
      clientKey: pki.foreign.clientKey,
    });
    // The handshake fails on the server's side; the client only learns that it could not connect.
    await failsWith(idp, auth, /UNAVAILABLE/);
    assert.deepEqual(callLines(lines), []);
  });

  it('stops start-up naming the key: an unreadable file, a key of another certificate, a broken CA', async () => {
    const start = async (tls: GrpcTls) => {
      const idp = await createIdp(seedConfig({ grpc: { enabled: true, port: 0, tls } }), {
        logger: silentLogger,
      });
      idps.push(idp);
    };
    const missing = join(main.dir, 'no-such.crt');
    await assert.rejects(start({ cert: missing, key: main.serverKey }), (error: unknown) => {
      assert.ok(error instanceof TokenguardError);
      assert.equal(error.path, 'idp.grpc.tls.cert');
      assert.match(error.message, /cannot read .*no-such\.crt: ENOENT/);
      return true;
    });
    await assert.rejects(start({ cert: main.serverCert, key: main.clientKey }), (error: unknown) => {
      assert.ok(error instanceof TokenguardError);
      assert.equal(error.path, 'idp.grpc.tls');
      assert.match(error.message, /key values mismatch/);
      return true;
    });
    const garbage = join(main.dir, 'garbage-ca.crt');
    writeFileSync(garbage, 'not a certificate\n');
    await assert.rejects(
      start({ ...mutualTls(), ca: garbage }),
      (error: unknown) => error instanceof TokenguardError && error.path === 'idp.grpc.tls.ca',
    );
  });
});
