/** @module token: bearer token extraction (RFC 6750) and token shape. */
export { createTokenExtractor, isWellFormedToken, type TokenExtractor } from './extract.ts';
export { looksLikeJwt, unverifiedIssuer } from './jwt-shape.ts';
export type { ExtractedToken, RequestLike, TokenSourceKind } from './types.ts';
