/**
 * @module jwt/jwks-fetch
 * The fetch jose's remote JWK set uses (its `customFetch` option), routed through our `HttpClient` so that
 * JWKS calls get our timeouts, retries, TLS settings, body cap and metrics. Every failure is turned into a
 * `serviceUnavailable` TokenguardError here, where the HTTP status is still known: keys that cannot be
 * had are the IdP's fault (503), never a verdict on the caller's token (401).
 */
import type { FetchImplementation } from 'jose';
import { isTokenguardError, serviceUnavailable } from '../errors/tokenguard-error.ts';
import { type HttpClient, type HttpResponse, parseRetryAfter } from '../util/http-client.ts';

/** `scheme://host/path` of a URL: the query of a JWKS URL could carry a credential, so it is not logged. */
function shown(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * A `FetchImplementation` over `http`. It answers only with a 200 `Response` (the JWK Set document,
 * RFC 7517 §5); 429 becomes `idp_throttled`, any other status or a transport failure `jwks_unavailable`,
 * with the IdP's `Retry-After` on 429 and 503.
 */
export function jwksFetch(http: HttpClient): FetchImplementation {
  return async (url, options) => {
    let response: HttpResponse;
    try {
      response = await http.send('jwks', url, {
        signal: options.signal,
        headers: { accept: options.headers.get('accept') ?? 'application/jwk-set+json, application/json' },
      });
    } catch (error) {
      const why = isTokenguardError(error) ? `${error.reason}: ${error.detail ?? ''}` : String(error);
      throw serviceUnavailable('jwks_unavailable', `fetching ${shown(url)}: ${why}`, undefined, error);
    }
    if (response.status === 200) return new Response(response.body, { status: 200 });
    const detail = `${shown(url)} answered HTTP ${response.status}`;
    const retryAfter = parseRetryAfter(response.headers['retry-after']);
    if (response.status === 429) throw serviceUnavailable('idp_throttled', detail, retryAfter);
    throw serviceUnavailable('jwks_unavailable', detail, response.status === 503 ? retryAfter : undefined);
  };
}
