/**
 * @module idp/endpoints/accept
 * Whether a request asks for an RFC 9701 signed introspection answer: `Accept` lists
 * `application/token-introspection+jwt` (RFC 9701 §4) with a non-zero quality, at least as preferred as
 * `application/json` when that is listed too (RFC 9110 §12.5.1). Wildcards never select the JWT.
 */

export const INTROSPECTION_JWT_TYPE = 'application/token-introspection+jwt';

function quality(range: string[], type: string): number | undefined {
  for (const entry of range) {
    const [media, ...parameters] = entry.split(';').map((part) => part.trim());
    if (media.toLowerCase() !== type) continue;
    const q = parameters.find((parameter) => parameter.toLowerCase().startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    return Number.isFinite(value) ? value : 0;
  }
  return undefined;
}

export function wantsIntrospectionJwt(accept: string | undefined): boolean {
  if (!accept) return false;
  const range = accept.split(',');
  const jwt = quality(range, INTROSPECTION_JWT_TYPE);
  if (jwt === undefined || jwt <= 0) return false;
  return jwt >= (quality(range, 'application/json') ?? 0);
}
