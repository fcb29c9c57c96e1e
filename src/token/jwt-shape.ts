/**
 * @module token/jwt-shape
 * Telling a JWS compact serialization from an opaque token, and reading its unverified `iss` to pick the
 * issuer's configuration. Nothing read here is trusted: it only routes the token to a verifier.
 */

/** Three non-empty dot-separated parts (RFC 7515 §7.1). */
export function looksLikeJwt(token: string): boolean {
  const first = token.indexOf('.');
  if (first <= 0) return false;
  const second = token.indexOf('.', first + 1);
  return second > first + 1 && second < token.length - 1 && token.indexOf('.', second + 1) < 0;
}

/** The unverified payload `iss`, or undefined when it cannot be read. */
export function unverifiedIssuer(token: string): string | undefined {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  try {
    const payload: unknown = JSON.parse(
      Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8'),
    );
    const iss = (payload as { iss?: unknown } | null)?.iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}
