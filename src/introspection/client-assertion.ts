/**
 * @module introspection/client-assertion
 * JWT client authentication (RFC 7523 §2.2, OpenID Connect Core §9): `private_key_jwt` (signed with our
 * private key) and `client_secret_jwt` (an HMAC keyed with our client secret). Keys are loaded once, at
 * startup; every request gets a fresh, single-use assertion.
 */
import { createPrivateKey, createSecretKey, type JsonWebKey, type KeyObject, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import type { AuthConfig, JWT_ALGORITHMS } from '../config/schema.ts';
import { configInvalid } from '../errors/tokenguard-error.ts';

export type SigningAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** `client_secret_jwt` algorithms (OpenID Connect Core §9: HMAC SHA-2). */
export type SecretJwtAlgorithm = AuthConfig['introspection']['clientAuth']['secretJwtAlg'];

/** RFC 7523 §2.2 `client_assertion_type` of a JWT assertion. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Lifetime of one assertion. RFC 7523 §3 requires `exp`; an assertion is used at once, so keep it short. */
export const ASSERTION_LIFETIME_SECONDS = 60;

const KEY_PATH = 'auth.introspection.clientAuth.privateKey';

export interface SigningKey {
  key: KeyObject;
  /** `kid` from the inline JWK, when it had one. */
  keyId?: string;
}

/**
 * Loads the private key: inline JWK JSON (RFC 7517), an inline PEM, or the path of a PEM file (PKCS#8, or
 * PKCS#1 / SEC1). Any failure is a startup configuration error that names the key's config path, never its
 * content.
 */
export function loadSigningKey(
  privateKey: string,
  algorithm: SigningAlgorithm,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): SigningKey {
  const text = privateKey.trim();
  if (!text) throw configInvalid(KEY_PATH, 'is required for private_key_jwt');
  let loaded: SigningKey;
  if (text.startsWith('{')) {
    loaded = fromJwk(text);
  } else {
    let pem = text;
    if (!text.startsWith('-----BEGIN')) {
      try {
        pem = readFile(text);
      } catch {
        // The value is not repeated: it may be a key pasted without its PEM armour.
        throw configInvalid(KEY_PATH, 'is neither a PEM key, a JWK, nor a readable file');
      }
    }
    try {
      loaded = { key: createPrivateKey(pem) };
    } catch {
      throw configInvalid(KEY_PATH, 'is not a PEM private key');
    }
  }
  checkKeyFitsAlgorithm(loaded.key, algorithm);
  return loaded;
}

function fromJwk(text: string): SigningKey {
  let jwk: Record<string, unknown>;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw configInvalid(KEY_PATH, 'starts with "{" but is not JSON');
  }
  try {
    // The members are checked by node, which refuses a public or malformed JWK.
    const key = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    return { key, keyId: typeof jwk.kid === 'string' && jwk.kid ? jwk.kid : undefined };
  } catch {
    throw configInvalid(KEY_PATH, 'is not a private JWK');
  }
}

/** Which key types (and EC curves) each algorithm signs with (RFC 7518 §3.1, RFC 8037 §3.1). */
const CURVE_OF: Partial<Record<SigningAlgorithm, string>> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
};

/** A key that cannot sign with the configured algorithm fails at startup, not on the first request. */
function checkKeyFitsAlgorithm(key: KeyObject, algorithm: SigningAlgorithm): void {
  const type = key.asymmetricKeyType;
  const fits =
    algorithm.startsWith('RS') || algorithm.startsWith('PS')
      ? type === 'rsa' || (algorithm.startsWith('PS') && type === 'rsa-pss')
      : algorithm.startsWith('ES')
        ? type === 'ec' && key.asymmetricKeyDetails?.namedCurve === CURVE_OF[algorithm]
        : algorithm === 'Ed25519'
          ? type === 'ed25519'
          : type === 'ed25519' || type === 'ed448';
  if (!fits) {
    throw configInvalid(KEY_PATH, `a ${type} key cannot sign ${algorithm} (privateKeyAlg)`);
  }
}

/**
 * The client secret as an HMAC key for `client_secret_jwt`. RFC 7518 §3.2: the key MUST be at least as
 * long as the hash output (32 bytes for HS256, 48 for HS384, 64 for HS512); a shorter secret is refused at
 * startup rather than producing assertions an attacker could brute-force offline.
 */
export function loadSecretKey(secret: string, algorithm: SecretJwtAlgorithm): SigningKey {
  const bytes = Buffer.from(secret, 'utf8');
  const needed = Number(algorithm.slice(2)) / 8;
  if (bytes.length < needed) {
    throw configInvalid(
      'auth.introspection.clientAuth.clientSecret',
      `is ${bytes.length} bytes; ${algorithm} needs at least ${needed} (RFC 7518 §3.2)`,
    );
  }
  return { key: createSecretKey(bytes) };
}

export interface AssertionOptions {
  clientId: string;
  signingKey: SigningKey;
  algorithm: SigningAlgorithm | SecretJwtAlgorithm;
  /** Configured `kid`; wins over the JWK's own. */
  keyId?: string;
  now: () => number;
}

/**
 * Signs one assertion for `audience` (the endpoint it is sent to). RFC 7523 §3: `iss` and `sub` are our
 * client id, `aud` identifies the server, `exp` bounds its life, and a random `jti` lets the server refuse
 * replays, which is why every request gets a new one.
 */
export function signClientAssertion(options: AssertionOptions, audience: string): Promise<string> {
  const issuedAt = Math.floor(options.now() / 1000);
  const keyId = options.keyId || options.signingKey.keyId;
  return new SignJWT({})
    .setProtectedHeader(keyId ? { alg: options.algorithm, kid: keyId } : { alg: options.algorithm })
    .setIssuer(options.clientId)
    .setSubject(options.clientId)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ASSERTION_LIFETIME_SECONDS)
    .sign(options.signingKey.key);
}
