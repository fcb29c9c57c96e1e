/**
 * @module jwt/key-sets
 * One JWK Set (RFC 7517 §5) per trusted issuer, as jose's `createRemoteJWKSet`: jose caches the keys for
 * `cacheMaxAge` (`auth.jwks.cache.ttl`) and, on a `kid` it does not know, fetches the set again at most
 * once per `cooldownDuration` (`auth.jwks.cache.updateMinInterval`), which is how signing-key rotation is
 * picked up without letting random `kid`s hammer the IdP. Its fetches go through our `HttpClient`.
 *
 * The JWKS URL of an issuer comes from `auth.jwt.jwksUri`, else from the issuer's metadata `jwks_uri`
 * (RFC 8414 §2). Key set objects are created once per issuer and JWKS URL and reused.
 */
import { createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey } from 'jose';
import { withoutTrailingSlash } from '../discovery/issuer-identifier.ts';
import type { MetadataSource } from '../discovery/types.ts';
import { isTokenguardError, serviceUnavailable } from '../errors/tokenguard-error.ts';
import type { HttpClient } from '../util/http-client.ts';
import { jwksFetch } from './jwks-fetch.ts';

export interface KeySetsOptions {
  discovery: MetadataSource;
  http: HttpClient;
  /** Least time between two fetches caused by an unknown `kid`, in milliseconds. */
  cooldownMs: number;
  /** How long fetched keys are used before the set is fetched again, in milliseconds. */
  cacheMaxAgeMs: number;
  /** Issuer URL → JWKS URL; such issuers skip discovery. */
  jwksUri?: Record<string, string>;
  /**
   * Budget of one JWKS fetch including the HTTP client's retries, in milliseconds. Default 10 s;
   * the HTTP client's own per-attempt timeout applies within it.
   */
  timeoutMs?: number;
  /** Upper bound on issuers with a key set (glob-trusted issuers are unbounded). Default 1000. */
  maxEntries?: number;
}

interface Entry {
  readonly jwksUri: string;
  readonly getKey: JWTVerifyGetKey;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_ENTRIES = 1000;

/**
 * Errors of jose's key lookup that are about the token (its `alg` / `kid` select no single key); every
 * other failure of a lookup (a malformed set, a key that does not import, a timeout) is the IdP's.
 */
function isTokenFault(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSENotSupported
  );
}

export class KeySets {
  readonly #discovery: MetadataSource;
  readonly #http: HttpClient;
  readonly #cooldownMs: number;
  readonly #cacheMaxAgeMs: number;
  readonly #timeoutMs: number;
  readonly #maxEntries: number;
  readonly #configured: ReadonlyMap<string, string>;
  /** Keyed by issuer URL without its terminating slash; insertion order is age order. */
  readonly #sets = new Map<string, Entry>();

  constructor(options: KeySetsOptions) {
    this.#discovery = options.discovery;
    this.#http = options.http;
    this.#cooldownMs = options.cooldownMs;
    this.#cacheMaxAgeMs = options.cacheMaxAgeMs;
    this.#timeoutMs = Math.round(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.#maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
    this.#configured = new Map(
      Object.entries(options.jwksUri ?? {}).map(([issuer, uri]) => [withoutTrailingSlash(issuer), uri]),
    );
  }

  /**
   * The key resolver of `issuerUrl`, for `jwtVerify`. `jwksUri` (from `TrustedIssuers.resolve`) wins over
   * the constructor's map, which wins over discovery. Rejects with a `serviceUnavailable` TokenguardError
   * when the issuer's metadata cannot be had.
   */
  async get(issuerUrl: string, jwksUri?: string): Promise<JWTVerifyGetKey> {
    const key = withoutTrailingSlash(issuerUrl);
    const configured = jwksUri ?? this.#configured.get(key);
    if (configured !== undefined) return this.#keySet(key, configured);
    let discovered: string | undefined;
    try {
      discovered = (await this.#discovery.get(issuerUrl)).jwks_uri;
    } catch (error) {
      // Metadata expires on its own TTL. While the IdP cannot serve it, the set already built for this
      // issuer is still the right one: jose keeps using its keys until they reach cacheMaxAge.
      const known = this.#sets.get(key);
      if (known !== undefined) return known.getKey;
      throw error;
    }
    if (discovered === undefined) {
      throw serviceUnavailable('discovery_failed', `the metadata of ${issuerUrl} has no jwks_uri`);
    }
    return this.#keySet(key, discovered);
  }

  /** The set of `issuer` at `jwksUri`: the existing one, or a new one replacing a set at another URL. */
  #keySet(issuer: string, jwksUri: string): JWTVerifyGetKey {
    const known = this.#sets.get(issuer);
    if (known?.jwksUri === jwksUri) return known.getKey;
    const remote = createRemoteJWKSet(new URL(jwksUri), {
      cooldownDuration: this.#cooldownMs,
      cacheMaxAge: this.#cacheMaxAgeMs,
      timeoutDuration: this.#timeoutMs,
      [customFetch]: jwksFetch(this.#http),
    });
    const getKey: JWTVerifyGetKey = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        if (isTokenguardError(error) || isTokenFault(error)) throw error;
        const why = error instanceof Error ? error.message : String(error);
        throw serviceUnavailable('jwks_unavailable', `keys of ${issuer}: ${why}`, undefined, error);
      }
    };
    this.#sets.delete(issuer);
    this.#sets.set(issuer, { jwksUri, getKey });
    if (this.#sets.size > this.#maxEntries) this.#sets.delete(this.#sets.keys().next().value as string);
    return getKey;
  }
}
