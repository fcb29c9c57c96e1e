/**
 * @module jwt
 * Local JWT verification: trusted issuers, per-issuer JWK Sets (jose, fetched through our HTTP client)
 * and the verifier.
 */
export { JwtVerifier, type JwtVerifierConfig, type JwtVerifierDeps } from './jwt-verifier.ts';
export { KeySets, type KeySetsOptions } from './key-sets.ts';
export { type TrustedIssuer, TrustedIssuers, type TrustedIssuersConfig } from './trusted-issuers.ts';
