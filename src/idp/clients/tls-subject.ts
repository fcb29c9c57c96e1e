/**
 * @module idp/clients/tls-subject
 * RFC 8705 §2.1.2 `tls_client_auth_subject_dn`: the expected subject distinguished name of a client's
 * certificate, written as an RFC 4514 string (`CN=svc,O=Acme,C=DE`: most specific RDN first). node's
 * `X509Certificate.subject` lists the RDNs one per line in certificate order (`C=DE\nO=Acme\nCN=svc`), so the
 * certificate's list is reversed before comparing. Attribute types compare case-insensitively; values
 * compare after RFC 4514 unescaping, case-insensitively with inner whitespace collapsed, as most DN
 * attributes use caseIgnoreMatch (RFC 4517 §4.2.11).
 */
import type { X509Certificate } from 'node:crypto';

type Rdn = [type: string, value: string];

function normalize([type, value]: Rdn): string {
  return `${type.trim().toUpperCase()}=${value.trim().replace(/\s+/g, ' ').toLowerCase()}`;
}

/** Splits an RFC 4514 string at unescaped `,` / `+` and unescapes `\,` `\+` `\"` `\\` `\=` … in values. */
export function parseDn(dn: string): Rdn[] {
  const rdns: Rdn[] = [];
  let current = '';
  for (let index = 0; index < dn.length; index++) {
    const char = dn[index];
    if (char === '\\' && index + 1 < dn.length) {
      current += char + dn[++index];
    } else if (char === ',' || char === '+') {
      rdns.push(splitRdn(current));
      current = '';
    } else {
      current += char;
    }
  }
  if (current.trim() !== '') rdns.push(splitRdn(current));
  return rdns;
}

function splitRdn(text: string): Rdn {
  const equals = text.indexOf('=');
  const type = equals === -1 ? text : text.slice(0, equals);
  const value = equals === -1 ? '' : text.slice(equals + 1);
  return [type, value.replace(/\\(.)/g, '$1')];
}

/** Whether `certificate`'s subject is the DN `expected`. */
export function subjectMatches(certificate: X509Certificate, expected: string): boolean {
  const actual = certificate.subject
    .split('\n')
    .filter((line) => line !== '')
    .map(splitRdn)
    .reverse()
    .map(normalize);
  const wanted = parseDn(expected).map(normalize);
  return actual.length === wanted.length && actual.every((rdn, index) => rdn === wanted[index]);
}
