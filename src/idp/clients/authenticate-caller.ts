/**
 * @module idp/clients/authenticate-caller
 * Authenticating whoever calls a token, introspection or revocation endpoint (RFC 6749 §2.3, RFC 7523,
 * RFC 8705, RFC 7662 §2.1), into a `Caller`:
 *
 * - a client of the addressed tenant, by the one method it presented, which its registration must allow;
 * - at the introspection endpoint also: a configured static bearer token (seed 000's
 *   `access-token-with-introspection-permission`), an access token of this IdP whose client has the
 *   introspection permission, or, for WSO2 compatibility, a Basic *user* with that permission (`name` or
 *   `name@tenant`, the suffix selecting the tenant).
 *
 * Every failure is the same 401 `invalid_client` (RFC 6749 §5.2), whatever failed: the answer never says
 * whether a client exists. HTTP requires a challenge with a 401 (RFC 9110 §15.5.2): `Basic` (§5.2: matching
 * the scheme the client used), or `Bearer … error="invalid_token"` for a bearer caller (RFC 6750 §3,
 * which RFC 7662 §2.3 points to). The reason goes to the log only. Secrets compare in constant time
 * (`idp/secrets`); a failed Basic client check at the introspection endpoint also runs the (slow) user
 * check, so the time taken does not tell a client name from a user name. A `client_secret_basic` header
 * verified recently is recognized by its digest (`verified-basic`) instead of being decoded and checked again.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import { oauthError, type TokenguardError } from '../../errors/tokenguard-error.ts';
import type { Logger } from '../../observability/logger.ts';
import type { PeerCertificate } from '../endpoints/types.ts';
import type { Client, ClientAuthMethod } from '../model.ts';
import { verifyPassword, verifySecret } from '../secrets.ts';
import type { IdpStore } from '../store/types.ts';
import { isTenantId } from '../tenants/tenant-id.ts';
import { isCurrent } from '../tokens/token-state.ts';
import type { Caller, Realm, TokenService } from '../tokens/types.ts';
import { type PresentedCredentials, presentedCredentials } from './presented-credentials.ts';
import { checkClientAssertion } from './private-key-jwt.ts';
import { subjectMatches } from './tls-subject.ts';
import { VerifiedBasicHeaders } from './verified-basic.ts';

export interface StaticCaller {
  token: string;
  tenant: string;
  name: string;
}

export interface CallerAuthenticatorOptions {
  store: IdpStore;
  tokens: Pick<TokenService, 'find'>;
  staticTokens: readonly StaticCaller[];
  /** Longest accepted lifetime of a client assertion, milliseconds. */
  assertionMaxLifetimeMs: number;
  clockToleranceMs: number;
  logger: Logger;
  /** Clock, epoch milliseconds. */
  now?: () => number;
}

/** The request as caller authentication needs it. */
export interface CallerRequest {
  realm: Realm;
  authorization: string | undefined;
  form: ReadonlyMap<string, string>;
  peer: PeerCertificate | undefined;
  /** Accepted `aud` values of client assertions besides the issuer: the endpoint and token endpoint URLs. */
  endpointUrls: string[];
}

/** Which callers besides clients an endpoint accepts. */
export interface AcceptedCallers {
  /** Static and access-token bearer callers (introspection). */
  bearer?: boolean;
  /** WSO2-style Basic users with the introspection permission (introspection). */
  users?: boolean;
  /**
   * Public clients (RFC 6749 §2.1) by `client_id` alone, when registered with the method `none` (token
   * endpoint, authorization_code and refresh_token grants: PKCE binds the code to its requester, RFC 7636).
   */
  publicClients?: boolean;
}

const digest = (value: string) => hash('sha256', value, 'buffer');

export class CallerAuthenticator {
  readonly #store: IdpStore;
  readonly #tokens: Pick<TokenService, 'find'>;
  readonly #static: readonly (StaticCaller & { digest: Buffer })[];
  readonly #maxLifetimeMs: number;
  readonly #toleranceMs: number;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #verifiedBasic: VerifiedBasicHeaders;

  constructor(options: CallerAuthenticatorOptions) {
    this.#store = options.store;
    this.#tokens = options.tokens;
    this.#static = options.staticTokens.map((entry) => ({ ...entry, digest: digest(entry.token) }));
    this.#maxLifetimeMs = options.assertionMaxLifetimeMs;
    this.#toleranceMs = options.clockToleranceMs;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#verifiedBasic = new VerifiedBasicHeaders({ now: this.#now });
  }

  async authenticate(request: CallerRequest, accepted: AcceptedCallers = {}): Promise<Caller> {
    const recognized = await this.#recognizedBasic(request);
    if (recognized) return recognized;
    const presented = presentedCredentials(request.authorization, request.form, request.peer);
    const fail = (reason: string, clientId?: string): never => {
      throw this.#failure(request.realm, presented, reason, clientId);
    };
    switch (presented.method) {
      case 'none': {
        const client =
          accepted.publicClients && presented.clientId !== undefined
            ? await this.#client(request.realm, presented.clientId)
            : undefined;
        if (client && usable(client, 'none')) return { kind: 'client', client, method: 'none' };
        return fail('no client authentication', presented.clientId);
      }
      case 'unsupported':
        return fail('unsupported authorization scheme');
      case 'bearer':
        return accepted.bearer
          ? this.#bearer(request.realm, presented.token, fail)
          : fail('bearer not accepted here');
      case 'client_secret_basic': {
        const client = await this.#client(request.realm, presented.clientId);
        const ok = verifySecret(presented.secret, client?.secretHash);
        if (ok && client && usable(client, presented.method)) {
          const header = request.authorization!;
          this.#verifiedBasic.remember(request.realm.tenant, header, client.clientId, client.secretHash!);
          return { kind: 'client', client, method: presented.method };
        }
        if (accepted.users) {
          const user = await this.#user(request.realm, presented.clientId, presented.secret);
          if (user) return user;
        }
        return fail(
          ok && client ? 'method not allowed or client disabled' : 'bad client credentials',
          presented.clientId,
        );
      }
      case 'client_secret_post': {
        const client = await this.#client(request.realm, presented.clientId);
        const ok = verifySecret(presented.secret, client?.secretHash);
        if (ok && client && usable(client, presented.method))
          return { kind: 'client', client, method: presented.method };
        return fail('bad client credentials', presented.clientId);
      }
      case 'private_key_jwt': {
        const clientId = assertionIssuer(presented.assertion);
        if (clientId === undefined) return fail('assertion has no iss');
        if (presented.clientId !== undefined && presented.clientId !== clientId) {
          throw oauthError('invalid_request', 'client_id does not match the client assertion.');
        }
        const client = await this.#client(request.realm, clientId);
        if (!client || !usable(client, presented.method))
          return fail('no such client or method not allowed', clientId);
        const refused = await checkClientAssertion({
          client,
          assertion: presented.assertion,
          audiences: [request.realm.issuer, ...request.endpointUrls],
          maxLifetimeMs: this.#maxLifetimeMs,
          clockToleranceMs: this.#toleranceMs,
          replay: this.#store.replay,
          now: this.#now(),
        });
        return refused ? fail(refused, clientId) : { kind: 'client', client, method: presented.method };
      }
      case 'tls_client_auth': {
        const client = await this.#client(request.realm, presented.clientId);
        const matches =
          presented.peer.authorized &&
          client?.tlsSubjectDn !== undefined &&
          subjectMatches(presented.peer.certificate, client.tlsSubjectDn);
        if (matches && client && usable(client, presented.method))
          return { kind: 'client', client, method: presented.method };
        return fail('certificate does not authenticate the client', presented.clientId);
      }
    }
  }

  /**
   * A client by a `client_secret_basic` header verified recently (`verified-basic`), while its stored secret
   * hash is the one the header matched and it may still use the method. Only when the body carries no other
   * credential and no other `client_id`: such requests take the full path, which refuses them precisely.
   */
  async #recognizedBasic(request: CallerRequest): Promise<Caller | undefined> {
    const { authorization: header, form } = request;
    if (header === undefined || form.has('client_secret') || form.has('client_assertion')) return undefined;
    if (form.has('client_assertion_type')) return undefined;
    const known = this.#verifiedBasic.recall(request.realm.tenant, header);
    if (!known) return undefined;
    const formClientId = form.get('client_id');
    if (formClientId !== undefined && formClientId !== known.clientId) return undefined;
    const client = await this.#client(request.realm, known.clientId);
    if (!client || client.secretHash !== known.secretHash || !usable(client, 'client_secret_basic')) {
      return undefined;
    }
    return { kind: 'client', client, method: 'client_secret_basic' };
  }

  #client(realm: Realm, clientId: string): Promise<Client | undefined> {
    return this.#store.clients.get(realm.tenant, clientId);
  }

  /** A static token, or an active access token of this IdP whose client may introspect. */
  async #bearer(realm: Realm, token: string, fail: (reason: string) => never): Promise<Caller> {
    const presented = digest(token);
    let match: StaticCaller | undefined;
    // Every configured token is compared, in constant time each, so timing does not tell which one matched.
    for (const entry of this.#static) {
      if (timingSafeEqual(entry.digest, presented) && !match) match = entry;
    }
    if (match) return { kind: 'static', name: match.name, tenant: match.tenant };
    const stored = await this.#tokens.find(realm, token);
    if (stored?.kind !== 'access' || !isCurrent(stored, Math.floor(this.#now() / 1000))) {
      return fail('bearer token unknown or inactive');
    }
    const client = await this.#store.clients.get(stored.tenant, stored.clientId);
    // RFC 7662 §2.3: a bearer token "that does not contain sufficient privileges" is refused with 401.
    if (!client || client.disabled || !client.canIntrospect)
      return fail('bearer token lacks the introspection permission');
    return { kind: 'bearer', token: stored, client };
  }

  /** WSO2: `name` of the addressed tenant, or `name@tenant` of another existing tenant. */
  async #user(realm: Realm, id: string, password: string): Promise<Caller | undefined> {
    const at = id.lastIndexOf('@');
    const suffix = at > 0 ? id.slice(at + 1) : '';
    const qualified = isTenantId(suffix) && (await this.#store.tenants.get(suffix)) !== undefined;
    const tenant = qualified ? suffix : realm.tenant;
    const username = qualified ? id.slice(0, at) : id;
    const user = await this.#store.users.get(tenant, username);
    // verifyPassword derives a key even for an unknown user, so both cost the same time.
    const ok = await verifyPassword(password, user?.passwordHash);
    return ok && user?.canIntrospect && !user.disabled ? { kind: 'user', user } : undefined;
  }

  #failure(
    realm: Realm,
    presented: PresentedCredentials,
    reason: string,
    clientId?: string,
  ): TokenguardError {
    this.#logger.info(
      { tenant: realm.tenant, client_id: clientId, auth_method: presented.method, reason },
      'client authentication failed',
    );
    const challenge =
      presented.method === 'bearer'
        ? `Bearer realm="${quoted(realm.issuer)}", error="invalid_token"`
        : `Basic realm="${quoted(realm.issuer)}"`;
    return oauthError('invalid_client', 'Client authentication failed.', {
      status: 401,
      headers: { 'www-authenticate': challenge },
    });
  }
}

/** The client may authenticate this way now. */
function usable(client: Client, method: ClientAuthMethod): boolean {
  return !client.disabled && client.authMethods.includes(method);
}

/** `iss` of an assertion, unverified: it only selects whose keys verify the signature. */
function assertionIssuer(assertion: string): string | undefined {
  const payload = assertion.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const iss = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown }).iss;
    return typeof iss === 'string' && iss !== '' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 9110 §5.6.4 quoted-string content. */
function quoted(value: string): string {
  return value.replace(/[\\"]/g, '\\$&');
}
