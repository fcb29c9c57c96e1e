/**
 * @module gateway/forward/signing-key
 * The gateway's own signing key, for phantom tokens: read from `gateway.signingKey` (a PEM or JWK file), or
 * an ES256 key made at start. Its public half is served as a JWKS (RFC 7517) on the API listener, named by
 * its RFC 7638 thumbprint, so upstreams verify phantom tokens as they verify any IdP's JWTs.
 */
import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { configInvalid } from '../../errors/tokenguard-error.ts';

const PATH = 'gateway.signingKey';

export interface GatewaySigningKey {
  readonly privateKey: KeyObject | CryptoKey;
  readonly alg: string;
  readonly kid: string;
  /** The public JWK (`kid`, `alg`, `use: sig`). */
  readonly jwk: JWK;
}

/** The algorithm a key signs with: its JWK `alg`, else the usual one of its type (RFC 7518 §3.1). */
function algorithmOf(key: KeyObject, declared: unknown): string {
  if (typeof declared === 'string' && declared) return declared;
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return 'RS256';
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
  }
  throw configInvalid(PATH, `cannot sign with a ${type} key (use RSA, EC P-256/384/521 or Ed25519)`);
}

function readKey(file: string): { key: KeyObject; alg: unknown } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    // A key pasted inline instead of a path must not be echoed into the error (and the logs).
    const named =
      /[\r\n]|BEGIN|^\s*\{/.test(file) || file.length > 256 ? 'the value (not a file path)' : file;
    throw configInvalid(PATH, `cannot read ${named}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  try {
    if (text.startsWith('{')) {
      const jwk = JSON.parse(text) as Record<string, unknown>;
      return { key: createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' }), alg: jwk.alg };
    }
    return { key: createPrivateKey(text), alg: undefined };
  } catch {
    throw configInvalid(PATH, `${file} holds no private key (PEM or JWK)`);
  }
}

async function described(privateKey: KeyObject | CryptoKey, publicJwk: JWK, alg: string) {
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  return { privateKey, alg, kid, jwk: { ...publicJwk, kid, alg, use: 'sig' } };
}

/** Loads `file`, or makes an ES256 key when `file` is empty. */
export async function loadGatewaySigningKey(file: string): Promise<GatewaySigningKey> {
  if (!file) {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    return described(privateKey, await exportJWK(publicKey), 'ES256');
  }
  const { key, alg } = readKey(file);
  const algorithm = algorithmOf(key, alg);
  return described(key, await exportJWK(createPublicKey(key)), algorithm);
}
