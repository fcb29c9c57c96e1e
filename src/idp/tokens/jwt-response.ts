/**
 * @module idp/tokens/jwt-response
 * RFC 9701: the introspection answer as a signed JWT, for callers sending
 * `Accept: application/token-introspection+jwt` (§4).
 *
 * §5: header `typ: token-introspection+jwt` (explicit typing, so the response can never be mistaken for
 * another kind of JWT, §8.1); payload `iss` (this issuer), `aud` (the resource server that asked: its
 * client id), `iat`, and `token_introspection` holding the RFC 7662 answer, `active` included. No top-level
 * `sub` or `exp`: the response must not be usable as an access token. Signed with the tenant's active key;
 * RS256 is the default algorithm (§6: `introspection_signed_response_alg` defaults to RS256).
 */
import { SignJWT } from 'jose';
import type { IntrospectionAnswer } from '../../introspection/types.ts';
import type { KeyManager } from '../keys/key-manager.ts';
import type { Realm } from './types.ts';

/** The media type of the request's `Accept` and of the response (RFC 9701 §4, §5). */
export const INTROSPECTION_JWT_MEDIA_TYPE = 'application/token-introspection+jwt';

export interface SignIntrospectionResponseOptions {
  realm: Realm;
  answer: IntrospectionAnswer;
  /** The resource server that asked: its client id. */
  audience: string;
  keys: KeyManager;
  /** Current time, epoch seconds; the wall clock when omitted. */
  now?: () => number;
}

/** The compact JWS of an RFC 9701 response. */
export async function signIntrospectionResponse(options: SignIntrospectionResponseOptions): Promise<string> {
  const { realm, answer, audience, keys } = options;
  const key = await keys.activeKey(realm.tenant);
  const iat = options.now ? options.now() : Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: realm.issuer, aud: audience, iat, token_introspection: answer })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'token-introspection+jwt' })
    .sign(key.privateKey);
}
