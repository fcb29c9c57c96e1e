/**
 * @module idp/tokens/token-lookup
 * Finding the stored record of a presented token string.
 *
 * - A JWT is ours only if its signature verifies with one of the tenant's published keys (the `kid` of its
 *   header), its `typ` is `at+jwt` (RFC 9068 §2.1, §4) and its `jti` names a stored JWT record. Anything
 *   else, `alg: none` included (jose never accepts it), is not ours.
 * - An opaque token is found by its SHA-256 digest.
 *
 * Presented strings are attacker-controlled: parsing and verification failures mean "not ours", never an
 * exception. Store failures do propagate: a database outage must not turn into `{active:false}`.
 *
 * Time is not checked here: a record is returned expired or revoked alike, and the caller decides (the
 * introspection answers inactive, a revocation is a no-op).
 */
import { type CompactJWSHeaderParameters, type CryptoKey, compactVerify, decodeProtectedHeader } from 'jose';
import type { StoredToken, Tenant } from '../model.ts';
import { tokenDigest } from '../secrets.ts';
import type { TokenContext } from './context.ts';

type LookupContext = Pick<TokenContext, 'store' | 'keys'>;

/** Three base64url segments: the JWS compact serialization (RFC 7515 §7.1). Opaque tokens have no dot. */
const JWS_COMPACT = /^[\w-]+\.[\w-]+\.[\w-]*$/;

const decoder = new TextDecoder();

/** `at+jwt`, also in its full media-type form (RFC 9068 §2.1; RFC 7515 §4.1.9: case-insensitive). */
function isAccessTokenType(typ: unknown): boolean {
  return typeof typ === 'string' && /^(application\/)?at\+jwt$/i.test(typ);
}

function headerOf(token: string): CompactJWSHeaderParameters | undefined {
  try {
    return decodeProtectedHeader(token) as CompactJWSHeaderParameters;
  } catch {
    return undefined;
  }
}

/** The `kid` of a JWT-shaped string claiming to be an access token, else undefined. */
export function accessTokenKid(token: string): string | undefined {
  if (!JWS_COMPACT.test(token)) return undefined;
  const header = headerOf(token);
  return header && isAccessTokenType(header.typ) && typeof header.kid === 'string' ? header.kid : undefined;
}

/** The `jti` and `iss` of a JWT whose signature `key` verifies, else undefined. */
async function verifiedClaims(
  token: string,
  key: CryptoKey,
): Promise<{ jti: string; iss: unknown } | undefined> {
  try {
    const { payload } = await compactVerify(token, key);
    const claims: unknown = JSON.parse(decoder.decode(payload));
    if (typeof claims !== 'object' || claims === null) return undefined;
    const { jti, iss } = claims as Record<string, unknown>;
    return typeof jti === 'string' ? { jti, iss } : undefined;
  } catch {
    return undefined;
  }
}

async function findJwt(ctx: LookupContext, tenant: string, token: string): Promise<StoredToken | undefined> {
  const kid = accessTokenKid(token);
  if (kid === undefined) return undefined;
  const key = await ctx.keys.verificationKey(tenant, kid);
  if (!key) return undefined;
  const claims = await verifiedClaims(token, key);
  if (!claims) return undefined;
  const record = await ctx.store.tokens.get(tenant, claims.jti);
  // Our key signed it, so these hold for every record we wrote; checked anyway, cheaply, in case a record
  // of another kind ever shares the id.
  return record?.format === 'jwt' && record.issuer === claims.iss ? record : undefined;
}

async function findOpaque(
  ctx: LookupContext,
  tenant: string,
  token: string,
): Promise<StoredToken | undefined> {
  if (token === '') return undefined;
  const record = await ctx.store.tokens.get(tenant, tokenDigest(token));
  return record?.format === 'opaque' ? record : undefined;
}

/**
 * The record of `token` in `tenant`, or undefined. `hint` (RFC 7662 §2.1, RFC 7009 §2.1) only orders the
 * search: refresh tokens are always opaque, so `refresh_token` tries the digest first; any other or unknown
 * hint tries a JWT first when the string has the JWT shape. Both are always tried.
 */
export function findToken(
  ctx: LookupContext,
  tenant: string,
  token: string,
  hint?: string,
): Promise<StoredToken | undefined> {
  // The common case, an opaque token: one lookup, without building a search order or another async frame.
  if (hint !== 'refresh_token' && !JWS_COMPACT.test(token)) return findOpaque(ctx, tenant, token);
  return search(ctx, tenant, token, hint === 'refresh_token' ? [findOpaque, findJwt] : [findJwt, findOpaque]);
}

type Finder = (ctx: LookupContext, tenant: string, token: string) => Promise<StoredToken | undefined>;

async function search(
  ctx: LookupContext,
  tenant: string,
  token: string,
  order: readonly Finder[],
): Promise<StoredToken | undefined> {
  for (const find of order) {
    const record = await find(ctx, tenant, token);
    if (record) return record;
  }
  return undefined;
}

/**
 * The record of `token` in another tenant that lets other tenants' callers introspect its tokens (WSO2
 * `allow_cross_tenant`), with that tenant. A JWT is looked for only where its `kid` is published (a `kid` is
 * a key thumbprint, so it names one tenant); an opaque token in each such tenant.
 */
export async function findInOtherTenants(
  ctx: LookupContext,
  excludedTenant: string,
  token: string,
  hint?: string,
): Promise<{ record: StoredToken; tenant: Tenant } | undefined> {
  const tenants = (await ctx.store.tenants.list()).filter(
    (tenant) => tenant.allowCrossTenantIntrospection && tenant.id !== excludedTenant,
  );
  for (const tenant of tenants) {
    const record = await findToken(ctx, tenant.id, token, hint);
    if (record) return { record, tenant };
  }
  return undefined;
}
