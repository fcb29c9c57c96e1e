/**
 * @module discovery/discovery-client
 * The `MetadataSource` of the pipeline: fetches an issuer's metadata (OIDC Discovery 1.0 §4, falling back
 * to RFC 8414 §3.1 on 404), validates it, and caches it per issuer for a TTL in a bounded map. Concurrent
 * lookups of one issuer share one HTTP call; failures are never cached, so a recovered IdP is seen at once.
 */
import { SingleFlight } from '../cache/single-flight.ts';
import { isTokenguardError, serviceUnavailable } from '../errors/tokenguard-error.ts';
import { type HttpClient, type HttpResponse, parseRetryAfter } from '../util/http-client.ts';
import { metadataUrls, withoutTrailingSlash } from './issuer-identifier.ts';
import { parseMetadataDocument } from './metadata-document.ts';
import type { AuthorizationServerMetadata, MetadataSource } from './types.ts';

export interface DiscoveryClientOptions {
  http: HttpClient;
  /** How long a validated document is served from the cache, in milliseconds (0 = no caching). */
  ttlMs: number;
  /** Upper bound on cached issuers; the oldest entry goes first. Default 1000. */
  maxEntries?: number;
  /** Clock, epoch milliseconds (tests inject one). */
  now?: () => number;
}

interface Entry {
  readonly metadata: AuthorizationServerMetadata;
  readonly expiresAt: number;
}

const DEFAULT_MAX_ENTRIES = 1000;

export class DiscoveryClient implements MetadataSource {
  readonly #http: HttpClient;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** Keyed by the issuer without its terminating slash; insertion order is age order. */
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new SingleFlight<AuthorizationServerMetadata>();

  constructor(options: DiscoveryClientOptions) {
    this.#http = options.http;
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Metadata of `issuerUrl`. `signal` lets one caller stop waiting; it does not cancel the shared fetch,
   * which other callers may be waiting on (the HTTP client's own timeout bounds it).
   */
  get(issuerUrl: string, signal?: AbortSignal): Promise<AuthorizationServerMetadata> {
    if (signal?.aborted) return Promise.reject(abandoned(signal));
    const key = withoutTrailingSlash(issuerUrl);
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      if (entry.expiresAt > this.#now()) return Promise.resolve(entry.metadata);
      this.#entries.delete(key);
    }
    const shared = this.#inFlight.run(key, async () => {
      const metadata = await this.#discover(issuerUrl);
      this.#remember(key, metadata);
      return metadata;
    });
    return signal === undefined ? shared : abandonable(shared, signal);
  }

  async #discover(issuerUrl: string): Promise<AuthorizationServerMetadata> {
    const urls = metadataUrls(issuerUrl);
    let source = urls.openidConfiguration;
    let response = await this.#fetch(source);
    // An authorization server that is not an OpenID provider publishes only the RFC 8414 §3 document.
    if (response.status === 404) {
      source = urls.authorizationServer;
      response = await this.#fetch(source);
    }
    if (response.status !== 200) throw statusError(response, source);
    return parseMetadataDocument(response.body, issuerUrl, source);
  }

  async #fetch(url: string): Promise<HttpResponse> {
    try {
      return await this.#http.send('discovery', url);
    } catch (error) {
      // The contract of MetadataSource: every failure is `discovery_failed` (or throttling, below);
      // the transport's own reason (timeout, unreachable) stays in the detail and the cause.
      const why = isTokenguardError(error) ? `${error.reason}: ${error.detail ?? ''}` : String(error);
      throw serviceUnavailable('discovery_failed', `fetching ${url}: ${why}`, undefined, error);
    }
  }

  #remember(key: string, metadata: AuthorizationServerMetadata): void {
    if (this.#ttlMs <= 0 || this.#maxEntries <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { metadata, expiresAt: this.#now() + this.#ttlMs });
    if (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
  }
}

/**
 * 429 (RFC 6585 §4) and 503 (RFC 9110 §15.6.4) are the IdP asking for patience: passed on with its
 * `Retry-After` (RFC 9110 §10.2.3). Any other status is a discovery failure.
 */
function statusError(response: HttpResponse, source: string) {
  const detail = `${source} answered HTTP ${response.status}`;
  if (response.status === 429 || response.status === 503) {
    const retryAfter = parseRetryAfter(response.headers['retry-after']);
    return serviceUnavailable(
      response.status === 429 ? 'idp_throttled' : 'idp_unavailable',
      detail,
      retryAfter,
    );
  }
  return serviceUnavailable('discovery_failed', detail);
}

function abandoned(signal: AbortSignal) {
  return serviceUnavailable('discovery_failed', 'the caller stopped waiting', undefined, signal.reason);
}

/** `shared`, or a rejection as soon as `signal` aborts, whichever comes first. */
function abandonable<T>(shared: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abandoned(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
