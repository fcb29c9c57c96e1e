/**
 * @module tokenguard/idp
 * The identity provider: `createIdp(config)` starts an OAuth 2.0 authorization server (tokens, discovery,
 * JWKS, RFC 7662 introspection, RFC 9701 signed answers, RFC 7009 revocation, tenants and the standard,
 * Keycloak and go-authkit path profiles) in-process; `tokenguard idp` runs the same from the command line.
 */
export { applyDeclarations } from './config/apply.ts';
export { IDP_SECTION, type LoadIdpConfigOptions, loadIdpConfig, parseIdpConfig } from './config/load.ts';
export { renderIdpConfigReference } from './config/reference.ts';
export { type IdpConfig, type IdpConfigInput, idpConfigSchema } from './config/schema.ts';
export type { RevocationCounts, RevocationEvents, RevocationOutcome } from './events/revocation-events.ts';
export type { Client, Tenant, User } from './model.ts';
export { createIdp, type Idp, type IdpOptions } from './server.ts';
export type { IdpStore } from './store/types.ts';
export { PROFILES, type Profile } from './tenants/profiles.ts';
export type { Caller, Realm, TokenResponse, TokenService } from './tokens/types.ts';
