/**
 * @module idp/tokens/token-service
 * `DefaultTokenService`: the IdP's token logic behind its endpoints (issue, refresh, introspect, revoke,
 * find), composed from the sibling modules. It holds no state of its own beyond its collaborators; every
 * operation reads the clock once and works on the store.
 */
import { randomUUID } from 'node:crypto';
import type { IntrospectionAnswer } from '../../introspection/types.ts';
import type { RevocationNotifier } from '../events/revocation-events.ts';
import type { KeyManager } from '../keys/key-manager.ts';
import type { Client, StoredToken } from '../model.ts';
import type { IdpStore } from '../store/types.ts';
import { filterPolicies, mergePolicies } from './access-policies.ts';
import { callerTenant, type IntrospectionPolicy, mayIntrospect } from './caller-policy.ts';
import type { TokenContext } from './context.ts';
import { issueTokens, resolveAudience } from './grant.ts';
import { activeAnswer, inactiveAnswer } from './introspection-answer.ts';
import { refreshGrant } from './refresh.ts';
import { mayRevoke, revokeToken } from './revocation.ts';
import { readClaims } from './stored-claims.ts';
import { findInOtherTenants, findToken } from './token-lookup.ts';
import { isCurrent, liveParties } from './token-state.ts';
import type { Caller, IntrospectRequest, IssueRequest, Realm, TokenResponse, TokenService } from './types.ts';

export interface DefaultTokenServiceOptions {
  store: IdpStore;
  keys: KeyManager;
  /** Current time, epoch seconds. */
  now?: () => number;
  /** Runs after the default caller policy (see caller-policy) and may veto an introspection. */
  introspectionPolicy?: IntrospectionPolicy;
  /** Announces revocations (RFC 7009 and refresh-token reuse) to caches (`idp/events`). */
  events?: RevocationNotifier;
}

/** Keycloak's extension hint (seed 001): the caller wants the token's UMA permissions. */
const RPT_HINT = 'requesting_party_token';

const wallClock = () => Math.floor(Date.now() / 1000);

export class DefaultTokenService implements TokenService {
  readonly #store: IdpStore;
  readonly #keys: KeyManager;
  readonly #now: () => number;
  readonly #policy: IntrospectionPolicy | undefined;
  readonly #events: RevocationNotifier | undefined;

  constructor(options: DefaultTokenServiceOptions) {
    this.#store = options.store;
    this.#keys = options.keys;
    this.#now = options.now ?? wallClock;
    this.#policy = options.introspectionPolicy;
    this.#events = options.events;
  }

  async issue(request: IssueRequest): Promise<TokenResponse> {
    const { realm, client } = request;
    return issueTokens(this.#context(), {
      realm,
      client,
      subject: request.subject,
      user: request.user,
      scope: request.scope,
      audience: resolveAudience(realm.claimStyle, realm.issuer, client, request.audience),
      // A new grant: its tokens and all their rotations form one family (reuse detection, cascade).
      familyId: request.familyId ?? randomUUID(),
      notRequiredIntrospection: request.notRequiredIntrospection,
      refreshScope: request.withRefreshToken ? request.scope : undefined,
    });
  }

  async refresh(
    realm: Realm,
    client: Client,
    refreshToken: string,
    scope?: string[],
  ): Promise<TokenResponse> {
    return refreshGrant(this.#context(), realm, client, refreshToken, scope);
  }

  async introspect(request: IntrospectRequest): Promise<IntrospectionAnswer> {
    const context = this.#context();
    const { realm, token, caller } = request;
    const found = await this.#locate(context, realm, token, request.tokenTypeHint, caller);
    if (!found) return inactiveAnswer();
    const { record, crossTenantAllowed } = found;

    // RFC 7662 §4: expiry, not-yet-valid, revocation; then whether this caller may know (no I/O), then
    // whether the client and user still exist (Keycloak: client and user enabled); then the deployment's hook.
    if (!isCurrent(record, context.now)) return inactiveAnswer();
    if (!mayIntrospect(caller, record, crossTenantAllowed, context.now)) return inactiveAnswer();
    const parties = await liveParties(this.#store, record);
    if (!parties) return inactiveAnswer();
    if (this.#policy && !(await this.#policy(caller, record, realm))) return inactiveAnswer();

    const claims = readClaims(record);
    const subject = parties.user ?? parties.client;
    // Access policies and permissions authorize requests: they belong to access tokens, not refresh tokens.
    const access = record.kind === 'access';
    const policies = access
      ? filterPolicies(mergePolicies(claims.policies, subject.introspectionPolicies), request.scopeFilter)
      : [];
    const permissions = access && request.tokenTypeHint === RPT_HINT ? subject.permissions : undefined;
    return activeAnswer({ token, record, claims, policies, permissions });
  }

  async revoke(
    realm: Realm,
    token: string,
    tokenTypeHint: string | undefined,
    caller: Caller,
  ): Promise<void> {
    const context = this.#context();
    const record = await findToken(context, realm.tenant, token, tokenTypeHint);
    // RFC 7009 §2.2: unknown tokens, and (see revocation) other clients' tokens, are a silent success.
    if (!record || !mayRevoke(caller, record)) return;
    await revokeToken(this.#store, record, context.now, this.#events);
  }

  async find(realm: Realm, token: string): Promise<StoredToken | undefined> {
    return findToken(this.#context(), realm.tenant, token);
  }

  /**
   * The token's record: in the realm's tenant, else in a tenant open to cross-tenant introspection (WSO2).
   * `crossTenantAllowed` tells the caller policy whether a caller of another tenant may see it; the
   * tenant record is read only when the caller is of another tenant.
   */
  async #locate(
    context: TokenContext,
    realm: Realm,
    token: string,
    hint: string | undefined,
    caller: Caller,
  ): Promise<{ record: StoredToken; crossTenantAllowed: boolean } | undefined> {
    const record = await findToken(context, realm.tenant, token, hint);
    if (!record) {
      // Only tenants that allow it are searched, so a token found there allows it.
      const found = await findInOtherTenants(context, realm.tenant, token, hint);
      return found && { record: found.record, crossTenantAllowed: true };
    }
    if (callerTenant(caller) === record.tenant) return { record, crossTenantAllowed: false };
    const tenant = await this.#store.tenants.get(record.tenant);
    return { record, crossTenantAllowed: tenant?.allowCrossTenantIntrospection === true };
  }

  #context(): TokenContext {
    return { store: this.#store, keys: this.#keys, now: this.#now(), events: this.#events };
  }
}
