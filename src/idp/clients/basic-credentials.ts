/**
 * @module idp/clients/basic-credentials
 * The HTTP Basic `Authorization` header of `client_secret_basic` (RFC 6749 §2.3.1, RFC 7617 §2): base64 of
 * `id:secret`, where both parts were form-urlencoded (RFC 6749 Appendix B) before being joined, so a `:` in
 * an id travels as `%3A` and `+` means a space. A header that cannot be decoded is `invalid_request`
 * (RFC 6749 §5.2 "otherwise malformed"), not an authentication failure.
 */
import { oauthError } from '../../errors/tokenguard-error.ts';

export interface BasicCredentials {
  id: string;
  secret: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function malformed(): never {
  throw oauthError('invalid_request', 'The Basic authorization header is malformed.');
}

/** RFC 6749 Appendix B decoding of one part. */
function formDecode(part: string): string {
  try {
    return decodeURIComponent(part.replaceAll('+', ' '));
  } catch {
    return malformed();
  }
}

/** Decodes the credentials of a `Basic` header value (the part after the scheme). */
export function parseBasicCredentials(encoded: string): BasicCredentials {
  const value = encoded.trim();
  // RFC 4648 §4 alphabet; the padded length must be a multiple of 4 (RFC 7617 uses padded base64).
  if (!BASE64.test(value) || value.length % 4 !== 0) malformed();
  let text: string;
  try {
    text = utf8.decode(Buffer.from(value, 'base64'));
  } catch {
    return malformed();
  }
  const colon = text.indexOf(':');
  if (colon <= 0) malformed();
  const id = formDecode(text.slice(0, colon));
  const secret = formDecode(text.slice(colon + 1));
  if (id === '' || /[\x00-\x1f\x7f]/.test(id)) malformed();
  return { id, secret };
}
