/**
 * @module idp/clients/presented-credentials
 * Which credentials a request presents, before any of them is checked. RFC 6749 §2.3: "The client MUST NOT
 * use more than one authentication method in each request", so a request with two (Basic and a
 * `client_secret` in the body, a secret and a `client_assertion`, …) is `invalid_request` (§5.2: "utilizes
 * more than one mechanism for authenticating the client"). A `client_id` parameter may accompany any
 * method but must then name the same client.
 *
 * - `client_secret_basic`: `Authorization: Basic` (RFC 6749 §2.3.1).
 * - `client_secret_post`: `client_id` and `client_secret` in the body (§2.3.1, NOT RECOMMENDED).
 * - `private_key_jwt`: `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and
 *   `client_assertion` (RFC 7523 §2.2).
 * - `tls_client_auth`: a client certificate on the TLS connection and a `client_id` (RFC 8705 §2).
 * - `bearer`: `Authorization: Bearer` (RFC 7662 §2.1 lets an introspection caller use an access token).
 */
import { oauthError } from '../../errors/tokenguard-error.ts';
import type { PeerCertificate } from '../endpoints/types.ts';
import { parseBasicCredentials } from './basic-credentials.ts';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export type PresentedCredentials =
  | { method: 'client_secret_basic'; clientId: string; secret: string }
  | { method: 'client_secret_post'; clientId: string; secret: string }
  | { method: 'private_key_jwt'; clientId: string | undefined; assertion: string }
  | { method: 'tls_client_auth'; clientId: string; peer: PeerCertificate }
  | { method: 'bearer'; token: string }
  /** An `Authorization` scheme other than Basic and Bearer: RFC 6749 §5.2 "unsupported authentication method". */
  | { method: 'unsupported' }
  | { method: 'none'; clientId: string | undefined };

/** RFC 6750 §2.1 `b64token`. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

function invalid(description: string): never {
  throw oauthError('invalid_request', description);
}

/** The credentials of the `Authorization` header, if any. */
function fromHeader(header: string | undefined): PresentedCredentials | undefined {
  if (header === undefined) return undefined;
  const space = header.indexOf(' ');
  const scheme = (space === -1 ? header : header.slice(0, space)).toLowerCase();
  const value = space === -1 ? '' : header.slice(space + 1).trim();
  if (scheme === 'basic') {
    const { id, secret } = parseBasicCredentials(value);
    return { method: 'client_secret_basic', clientId: id, secret };
  }
  if (scheme === 'bearer') {
    if (!B64TOKEN.test(value)) invalid('The bearer token in the authorization header is malformed.');
    return { method: 'bearer', token: value };
  }
  return { method: 'unsupported' };
}

export function presentedCredentials(
  authorization: string | undefined,
  form: ReadonlyMap<string, string>,
  peer: PeerCertificate | undefined,
): PresentedCredentials {
  const clientId = form.get('client_id');
  const secret = form.get('client_secret');
  const assertionType = form.get('client_assertion_type');
  const assertion = form.get('client_assertion');
  const candidates: PresentedCredentials[] = [];
  const header = fromHeader(authorization);
  if (header) candidates.push(header);
  if (secret !== undefined) {
    if (clientId === undefined) invalid('client_secret needs client_id.');
    candidates.push({ method: 'client_secret_post', clientId, secret });
  }
  if (assertionType !== undefined || assertion !== undefined) {
    if (assertionType !== JWT_BEARER_ASSERTION_TYPE || assertion === undefined) {
      invalid(
        `Client assertions need client_assertion_type=${JWT_BEARER_ASSERTION_TYPE} and client_assertion.`,
      );
    }
    candidates.push({ method: 'private_key_jwt', clientId, assertion });
  }
  if (candidates.length > 1) invalid('The request uses more than one client authentication method.');
  const presented = candidates[0];
  if (presented === undefined) {
    return peer && clientId !== undefined
      ? { method: 'tls_client_auth', clientId, peer }
      : { method: 'none', clientId };
  }
  if (
    presented.method === 'client_secret_basic' &&
    clientId !== undefined &&
    clientId !== presented.clientId
  ) {
    invalid('client_id does not match the client of the authorization header.');
  }
  return presented;
}
