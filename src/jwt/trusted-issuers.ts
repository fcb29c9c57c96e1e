/**
 * @module jwt/trusted-issuers
 * Which `iss` values are trusted, and at which issuer URL their metadata and keys are found
 * (`auth.jwt.trustedIssuers`, `trustedIssuerUrls`, `jwksUri`). RFC 7519 §4.1.1 leaves the processing of
 * `iss` to the application; here an untrusted issuer is rejected before any key is fetched for it, so a
 * token can never make us fetch from a server the configuration does not name.
 */
import { withoutTrailingSlash } from '../discovery/issuer-identifier.ts';
import { checkIssuerUrl, compileIssuerPattern } from './issuer-pattern.ts';

export interface TrustedIssuersConfig {
  /** `iss` value → issuer URL (go-authkit `trustedIssuers`): for issuers whose `iss` is a name. */
  trustedIssuers: Record<string, string>;
  /** Trusted issuer URLs; the host may be a glob (`https://*.example.com/idp`). */
  trustedIssuerUrls: readonly string[];
  /** Issuer URL → JWKS URL, skipping discovery for that issuer. */
  jwksUri: Record<string, string>;
}

export interface TrustedIssuer {
  /** The issuer URL: where discovery looks, and the identifier its metadata must carry. */
  issuerUrl: string;
  /** The configured JWKS URL of that issuer, when discovery is skipped for it. */
  jwksUri?: string;
}

export class TrustedIssuers {
  readonly #byName: ReadonlyMap<string, string>;
  /** Exact trusted URLs, without their terminating slash. */
  readonly #exact: ReadonlySet<string>;
  readonly #patterns: readonly ((iss: string) => boolean)[];
  /** JWKS URLs by issuer URL without its terminating slash. */
  readonly #jwksUris: ReadonlyMap<string, string>;

  /** Parses every pattern once; an invalid one throws `configInvalid('auth.jwt.trustedIssuerUrls[i]')`. */
  constructor(config: TrustedIssuersConfig) {
    // A Map, not the config object: `iss: "constructor"` or `"__proto__"` must not find inherited members.
    this.#byName = new Map(Object.entries(config.trustedIssuers));
    const exact = new Set<string>();
    const patterns: ((iss: string) => boolean)[] = [];
    config.trustedIssuerUrls.forEach((url, index) => {
      const path = `auth.jwt.trustedIssuerUrls[${index}]`;
      if (url.includes('*')) {
        patterns.push(compileIssuerPattern(url, path));
      } else {
        checkIssuerUrl(url, path);
        exact.add(withoutTrailingSlash(url));
      }
    });
    this.#exact = exact;
    this.#patterns = patterns;
    this.#jwksUris = new Map(
      Object.entries(config.jwksUri).map(([issuer, jwksUri]) => [withoutTrailingSlash(issuer), jwksUri]),
    );
  }

  /** Number of configured trust entries (names, URLs and patterns). */
  get size(): number {
    return this.#byName.size + this.#exact.size + this.#patterns.length;
  }

  /**
   * The issuer URL trusted for `iss`, or undefined when `iss` is not trusted. Order: a name of
   * `trustedIssuers`, then an exact `trustedIssuerUrls` entry, then a host glob.
   */
  resolve(iss: string): TrustedIssuer | undefined {
    const issuerUrl = this.#byName.get(iss) ?? (this.#isTrustedUrl(iss) ? iss : undefined);
    if (issuerUrl === undefined) return undefined;
    const jwksUri = this.#jwksUris.get(withoutTrailingSlash(issuerUrl));
    return jwksUri === undefined ? { issuerUrl } : { issuerUrl, jwksUri };
  }

  #isTrustedUrl(iss: string): boolean {
    return this.#exact.has(withoutTrailingSlash(iss)) || this.#patterns.some((matches) => matches(iss));
  }
}
