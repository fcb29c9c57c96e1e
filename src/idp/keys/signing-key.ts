/**
 * @module idp/keys/signing-key
 * Making one signing key of a tenant: a fresh asymmetric key pair (jose), named by its RFC 7638 JWK
 * thumbprint, and the two JWKs the store keeps. The thumbprint as `kid` makes the identifier a function of
 * the key itself, so two instances can never publish different keys under one `kid`, and a `kid` found in
 * a token header names exactly one key across all tenants.
 */
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { SigningKey } from '../model.ts';

/** A new key: the record to store, and the key objects themselves (so nobody has to import them again). */
export interface GeneratedKey {
  record: SigningKey;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/** Generates an `alg` key pair for `tenant`, created at `now` (epoch seconds). */
export async function generateSigningKey(tenant: string, alg: string, now: number): Promise<GeneratedKey> {
  // extractable: the private key must be exported as a JWK to be stored (model: private keys as JWKs).
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicParameters = await exportJWK(publicKey);
  // RFC 7638 §3: the thumbprint covers only the required members, so `kid`, `alg` and `use` added below do
  // not change it.
  const kid = await calculateJwkThumbprint(publicParameters, 'sha256');
  const publicJwk: JWK = { ...publicParameters, kid, alg, use: 'sig' };
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg };
  return { record: { tenant, kid, alg, privateJwk, publicJwk, createdAt: now }, privateKey, publicKey };
}
