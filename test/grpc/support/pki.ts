/**
 * @module test/grpc/support/pki
 * The certificates of the gRPC TLS tests, made with `openssl` in a temp dir: the CA, server and client
 * certificates of `createTestPki`, plus a server certificate of the same CA that has already expired, and a
 * second, unrelated PKI (a CA the server does not know, and a client certificate it issued).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestPki, type TestPki } from '../../../src/introspection/test-support/pki.ts';

export interface GrpcTestPki {
  /** CA, `server` (127.0.0.1) and `client` certificates. */
  main: TestPki;
  /** Another CA with its own server and client certificates. */
  foreign: TestPki;
  /** A server certificate for 127.0.0.1, issued by `main`'s CA, expired a day ago. */
  expiredServerCert: string;
  /** PEM contents of a file of either PKI. */
  read(path: string): Buffer;
  remove(): void;
}

/**
 * Issues the expired certificate. OpenSSL 3.0's `x509` has no `-not_before`/`-not_after`; a negative
 * `-days` puts notAfter a day before the signing time, which every verifier reports as expired.
 */
function issueExpired(pki: TestPki): string {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: pki.dir, stdio: 'pipe' });
  writeFileSync(join(pki.dir, 'expired.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  run('req', '-new', '-key', 'server.key', '-out', 'expired.csr', '-subj', '/CN=127.0.0.1');
  run(
    'x509',
    '-req',
    '-in',
    'expired.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '-1',
    '-out',
    'expired.crt',
    '-extfile',
    'expired.ext',
  );
  return join(pki.dir, 'expired.crt');
}

export function createGrpcTestPki(): GrpcTestPki {
  const main = createTestPki('tokenguard-grpc-client');
  const foreign = createTestPki('stranger');
  return {
    main,
    foreign,
    expiredServerCert: issueExpired(main),
    read: (path) => readFileSync(path),
    remove() {
      main.remove();
      foreign.remove();
    },
  };
}
