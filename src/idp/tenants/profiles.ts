/**
 * @module idp/tenants/profiles
 * The URL layouts ("profiles") one IdP serves side by side, and how a request path maps to an endpoint, a
 * tenant and an issuer identifier:
 *
 * - `standard` (WSO2 layout): `/oauth2/{token,introspect,revoke,jwks}` for the default tenant (issuer = the
 *   base URL) and `/t/{tenant}/oauth2/…` for others (issuer `<base>/t/<tenant>`).
 * - `keycloak`: `/realms/{realm}/protocol/openid-connect/{token,token/introspect,revoke,certs}`, issuer
 *   `<base>/realms/<realm>`; the realm name is the tenant id (`default` is the default tenant).
 * - `authkit` (go-authkit's test IdP, seed 000): `/idp/token`, `/idp/introspect_token`, `/idp/keys`, issuer =
 *   the base URL, tokens in go-authkit's claim style.
 *
 * Discovery documents (RFC 8414 §3, OIDC Discovery §4) sit at `<issuer>/.well-known/openid-configuration`
 * and `…/oauth-authorization-server`, and for issuers with a path also at RFC 8414 §3.1's
 * `/.well-known/oauth-authorization-server/<issuer path>`. The root documents describe the first profile.
 *
 * Matching works on the raw path segments, never on a normalized URL: `/t/../oauth2/token` must not become
 * `/oauth2/token`, and a tenant segment that is not a valid tenant id matches nothing (404).
 */
import { DEFAULT_TENANT } from '../model.ts';
import type { Realm } from '../tokens/types.ts';
import { isTenantId } from './tenant-id.ts';

export const PROFILES = ['standard', 'keycloak', 'authkit'] as const;
export type Profile = (typeof PROFILES)[number];

/** The protocol endpoints (the discovery document is served beside them). */
export type ProtocolEndpoint = 'token' | 'introspect' | 'revoke' | 'jwks';
export type EndpointName = ProtocolEndpoint | 'discovery';

/** A request path resolved to an endpoint of one tenant under one profile. */
export interface Route {
  profile: Profile;
  endpoint: EndpointName;
  tenant: string;
  /** Path of the issuer identifier below the base URL: `''`, `/t/<tenant>`, `/realms/<realm>`. */
  issuerPath: string;
}

interface ProfileLayout {
  /** Issuer path of a tenant; undefined when the profile cannot address that tenant. */
  issuerPath(tenant: string): string | undefined;
  /** Endpoint paths relative to the issuer path. */
  endpoints: Readonly<Partial<Record<ProtocolEndpoint, string>>>;
}

const LAYOUTS: Readonly<Record<Profile, ProfileLayout>> = {
  standard: {
    issuerPath: (tenant) => (tenant === DEFAULT_TENANT ? '' : `/t/${tenant}`),
    endpoints: {
      token: '/oauth2/token',
      introspect: '/oauth2/introspect',
      revoke: '/oauth2/revoke',
      jwks: '/oauth2/jwks',
    },
  },
  keycloak: {
    issuerPath: (tenant) => `/realms/${tenant}`,
    endpoints: {
      token: '/protocol/openid-connect/token',
      introspect: '/protocol/openid-connect/token/introspect',
      revoke: '/protocol/openid-connect/revoke',
      jwks: '/protocol/openid-connect/certs',
    },
  },
  authkit: {
    // go-authkit's test IdP has one issuer and no revocation endpoint.
    issuerPath: (tenant) => (tenant === DEFAULT_TENANT ? '' : undefined),
    endpoints: { token: '/idp/token', introspect: '/idp/introspect_token', jwks: '/idp/keys' },
  },
};

const WELL_KNOWN = ['openid-configuration', 'oauth-authorization-server'];

/** Where the issuer paths of each profile start (their tenant segment follows). */
const TENANT_PREFIX: Readonly<Record<Profile, string | undefined>> = {
  standard: 't',
  keycloak: 'realms',
  authkit: undefined,
};

/** The issuer path of `tenant` under `profile`, or undefined when that profile has no such issuer. */
export function issuerPathOf(profile: Profile, tenant: string): string | undefined {
  return LAYOUTS[profile].issuerPath(tenant);
}

/** Endpoint URLs of `tenant` under `profile`, absolute below `base` (the issuer-less base URL). */
export function endpointUrls(
  profile: Profile,
  base: string,
  tenant: string,
): Partial<Record<ProtocolEndpoint, string>> {
  const issuerPath = issuerPathOf(profile, tenant) ?? '';
  const urls: Partial<Record<ProtocolEndpoint, string>> = {};
  for (const [endpoint, path] of Object.entries(LAYOUTS[profile].endpoints)) {
    if (path) urls[endpoint as ProtocolEndpoint] = `${base}${issuerPath}${path}`;
  }
  return urls;
}

/** The token claim style of a profile (`Realm.claimStyle`). */
export function claimStyleOf(profile: Profile): Realm['claimStyle'] {
  return profile === 'authkit' ? 'authkit' : 'rfc9068';
}

/** The realm a route addresses: its tenant, issuer identifier and claim style. */
export function realmOf(route: Pick<Route, 'profile' | 'tenant' | 'issuerPath'>, base: string): Realm {
  return {
    tenant: route.tenant,
    issuer: `${base}${route.issuerPath}`,
    claimStyle: claimStyleOf(route.profile),
  };
}

/** Splits `rest` into an endpoint of `profile` (relative to an issuer path), if it is one. */
function endpointAt(profile: Profile, rest: string): EndpointName | undefined {
  if (rest === '/.well-known/openid-configuration' || rest === '/.well-known/oauth-authorization-server') {
    return 'discovery';
  }
  for (const [endpoint, path] of Object.entries(LAYOUTS[profile].endpoints)) {
    if (path === rest) return endpoint as ProtocolEndpoint;
  }
  return undefined;
}

/**
 * The route of a raw request path (no query), among the enabled `profiles` (the first one owns the root
 * discovery documents), or undefined.
 */
export function matchRoute(path: string, profiles: readonly Profile[]): Route | undefined {
  const segments = path.split('/');
  // Only absolute paths of non-empty segments, none of them a dot segment (RFC 3986 §3.3).
  if (
    segments[0] !== '' ||
    segments.slice(1).some((segment) => segment === '' || segment === '.' || segment === '..')
  ) {
    return undefined;
  }
  // RFC 8414 §3.1: `/.well-known/oauth-authorization-server/<issuer path>` for issuers with a path.
  if (segments[1] === '.well-known' && segments[2] === 'oauth-authorization-server' && segments.length > 3) {
    const inner = matchRoute(
      `/${segments.slice(3).join('/')}/.well-known/oauth-authorization-server`,
      profiles,
    );
    return inner?.issuerPath ? inner : undefined;
  }
  if (segments[1] === '.well-known' && segments.length === 3 && WELL_KNOWN.includes(segments[2])) {
    const profile = profiles[0];
    const issuerPath = issuerPathOf(profile, DEFAULT_TENANT) ?? '';
    return { profile, endpoint: 'discovery', tenant: DEFAULT_TENANT, issuerPath };
  }
  for (const profile of profiles) {
    const prefix = TENANT_PREFIX[profile];
    if (prefix !== undefined && segments[1] === prefix && segments.length > 3) {
      const tenant = segments[2];
      const issuerPath = isTenantId(tenant) ? issuerPathOf(profile, tenant) : undefined;
      const endpoint =
        issuerPath === undefined ? undefined : endpointAt(profile, `/${segments.slice(3).join('/')}`);
      if (issuerPath !== undefined && endpoint) return { profile, endpoint, tenant, issuerPath };
    }
    const rootPath = issuerPathOf(profile, DEFAULT_TENANT);
    const endpoint = rootPath === '' ? endpointAt(profile, path) : undefined;
    if (endpoint && endpoint !== 'discovery') {
      return { profile, endpoint, tenant: DEFAULT_TENANT, issuerPath: '' };
    }
  }
  return undefined;
}

/**
 * The browser-facing OpenID Connect endpoints (`idp/browser`): the authorization endpoint (RFC 6749 §3.1),
 * the sign-in and consent form targets, userinfo (OIDC Core §5.3) and RP-initiated logout, relative to the
 * issuer path like the protocol endpoints. WSO2-like paths on `standard`, Keycloak's on `keycloak`;
 * go-authkit's test IdP (`authkit`) has no browser sign-in.
 */
export type BrowserEndpoint = 'authorize' | 'signin' | 'consent' | 'userinfo' | 'logout';

/** A request path resolved to a browser endpoint of one tenant under one profile. */
export interface BrowserRoute {
  profile: Profile;
  endpoint: BrowserEndpoint;
  tenant: string;
  issuerPath: string;
}

const BROWSER_LAYOUTS: Readonly<Record<Profile, Readonly<Partial<Record<BrowserEndpoint, string>>>>> = {
  standard: {
    authorize: '/oauth2/authorize',
    signin: '/oauth2/signin',
    consent: '/oauth2/consent',
    userinfo: '/oauth2/userinfo',
    logout: '/oauth2/logout',
  },
  keycloak: {
    authorize: '/protocol/openid-connect/auth',
    signin: '/login-actions/authenticate',
    consent: '/login-actions/consent',
    userinfo: '/protocol/openid-connect/userinfo',
    logout: '/protocol/openid-connect/logout',
  },
  authkit: {},
};

/** Browser endpoint URLs of `tenant` under `profile`, absolute below `base`; empty for `authkit`. */
export function browserEndpointUrls(
  profile: Profile,
  base: string,
  tenant: string,
): Partial<Record<BrowserEndpoint, string>> {
  const issuerPath = issuerPathOf(profile, tenant) ?? '';
  const urls: Partial<Record<BrowserEndpoint, string>> = {};
  for (const [endpoint, path] of Object.entries(BROWSER_LAYOUTS[profile])) {
    urls[endpoint as BrowserEndpoint] = `${base}${issuerPath}${path}`;
  }
  return urls;
}

/** `BROWSER_LAYOUTS` as `[endpoint, path]` pairs, made once: every request is matched against them. */
const BROWSER_PATHS: Readonly<Record<Profile, readonly [string, string | undefined][]>> = {
  standard: Object.entries(BROWSER_LAYOUTS.standard),
  keycloak: Object.entries(BROWSER_LAYOUTS.keycloak),
  authkit: Object.entries(BROWSER_LAYOUTS.authkit),
};

function browserEndpointAt(profile: Profile, rest: string): BrowserEndpoint | undefined {
  for (const [endpoint, path] of BROWSER_PATHS[profile]) {
    if (path === rest) return endpoint as BrowserEndpoint;
  }
  return undefined;
}

/** The browser route of a raw request path (no query), among the enabled `profiles`, or undefined. */
export function matchBrowserRoute(path: string, profiles: readonly Profile[]): BrowserRoute | undefined {
  const segments = path.split('/');
  if (segments[0] !== '' || segments.slice(1).some((s) => s === '' || s === '.' || s === '..'))
    return undefined;
  for (const profile of profiles) {
    const prefix = TENANT_PREFIX[profile];
    if (prefix !== undefined && segments[1] === prefix && segments.length > 3 && isTenantId(segments[2])) {
      const issuerPath = issuerPathOf(profile, segments[2]);
      const endpoint = browserEndpointAt(profile, `/${segments.slice(3).join('/')}`);
      if (issuerPath !== undefined && endpoint) return { profile, endpoint, tenant: segments[2], issuerPath };
    }
    const endpoint =
      issuerPathOf(profile, DEFAULT_TENANT) === '' ? browserEndpointAt(profile, path) : undefined;
    if (endpoint) return { profile, endpoint, tenant: DEFAULT_TENANT, issuerPath: '' };
  }
  return undefined;
}
