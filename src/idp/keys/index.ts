/**
 * @module idp/keys
 * Signing keys of the IdP's tenants: creation, JWKS publication, rotation, verification keys.
 */
export { type ActiveKey, KeyManager, type KeyManagerOptions } from './key-manager.ts';
export { type GeneratedKey, generateSigningKey } from './signing-key.ts';
