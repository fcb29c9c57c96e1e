/**
 * @module gateway/forward/header-value
 * Claim text made safe to send as a header value. A value with CR, LF or any other control character is
 * refused (header injection, RFC 9110 §5.5: field values never hold CTLs other than HTAB); other text goes
 * on the wire as its UTF-8 bytes (node writes a header string as latin1, one byte per code unit, so the
 * UTF-8 bytes are handed over as a latin1 string), which is what an upstream decoding UTF-8 expects.
 */

const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const NON_ASCII = /[^\x00-\x7f]/;

/** The value to send, or undefined when it must not be sent. */
export function safeHeaderValue(text: string): string | undefined {
  if (CONTROL.test(text)) return undefined;
  return NON_ASCII.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text;
}
