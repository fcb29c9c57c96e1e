/**
 * @module idp/console/test-support/harness
 * The console on a real loopback server for its handler tests, without the rest of the IdP: a memory store
 * with two tenants (`default`, `acme`) and their users, a key manager and token service over it, an
 * injected clock (to expire sessions), and a small browser (`Browser`) that keeps cookies by path the way a
 * browser does, never follows redirects, and reads the CSRF token of the last page.
 */
import { createServer } from 'node:http';
import { Registry } from 'prom-client';
import { closeServer, listen } from '../../../../test/support/loopback.ts';
import { silentLogger } from '../../../observability/logger.ts';
import { parseIdpConfig } from '../../config/load.ts';
import type { IdpConfigInput } from '../../config/schema.ts';
import { KeyManager } from '../../keys/key-manager.ts';
import { createIdpMetrics, type IdpMetrics } from '../../metrics.ts';
import type { User } from '../../model.ts';
import { hashPassword } from '../../secrets.ts';
import { MemoryStore } from '../../store/memory-store.ts';
import { DefaultTokenService } from '../../tokens/token-service.ts';
import { createConsole } from '../app.ts';
import { withConsole } from '../listener.ts';
import type { Revocations } from '../tokens.ts';

export const PASSWORD = 'correct horse battery';
export const IDLE_MS = 15 * 60_000;

export interface Harness {
  url: string;
  store: MemoryStore;
  tokens: DefaultTokenService;
  keys: KeyManager;
  registry: Registry;
  metrics: IdpMetrics;
  /** The console's clock, epoch milliseconds; move it with `advance`. */
  clock: { now: number; advance(ms: number): void };
  close(): Promise<void>;
}

function user(tenant: string, username: string, admin: boolean, passwordHash: string): User {
  return {
    tenant,
    username,
    passwordHash,
    policies: [],
    introspectionPolicies: [],
    permissions: [],
    canIntrospect: false,
    admin,
    disabled: false,
    createdAt: 1_700_000_000,
  };
}

/**
 * Users: `root` (admin of default), `plain` (not an admin), `boss` (admin of acme); all with `PASSWORD`.
 */
export async function startConsole(
  options: {
    config?: IdpConfigInput;
    /** Built over the harness's store (a revocation service of `idp/events`, say). */
    revocations?: (store: MemoryStore) => Revocations;
  } = {},
): Promise<Harness> {
  const config = parseIdpConfig({ port: 0, store: 'memory', ...options.config });
  const store = new MemoryStore();
  const clock = {
    now: Date.now(),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  const seconds = () => Math.floor(clock.now / 1000);
  for (const id of ['default', 'acme']) {
    await store.tenants.put({
      id,
      displayName: id,
      allowCrossTenantIntrospection: false,
      createdAt: seconds(),
    });
  }
  const hash = await hashPassword(PASSWORD);
  await store.users.put(user('default', 'root', true, hash));
  await store.users.put(user('default', 'plain', false, hash));
  await store.users.put(user('acme', 'boss', true, hash));
  const keys = new KeyManager({ store, now: seconds });
  const tokens = new DefaultTokenService({ store, keys, now: seconds });
  const registry = new Registry();
  const metrics = createIdpMetrics(registry);
  let base = '';
  const managementConsole = createConsole({
    config,
    store,
    tokens,
    keys,
    logger: silentLogger,
    registry,
    base: () => base,
    tls: false,
    idleTimeoutMs: IDLE_MS,
    absoluteTimeoutMs: 8 * 3_600_000,
    revocations: options.revocations?.(store),
    now: () => clock.now,
  });
  const server = createServer(
    withConsole(managementConsole, (_request, response) => {
      response.writeHead(404).end();
    }),
  );
  const url = await listen(server);
  base = url;
  return { url, store, tokens, keys, registry, metrics, clock, close: () => closeServer(server) };
}

export interface Page {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

interface Cookie {
  value: string;
  path: string;
}

/** A cookie jar and the requests of one browser (no redirects followed, CSRF token of the last page kept). */
export class Browser {
  readonly #base: string;
  readonly cookies = new Map<string, Cookie>();
  /** Every `Set-Cookie` header received, in order. */
  readonly setCookies: string[] = [];
  csrf = '';

  constructor(base: string) {
    this.#base = base;
  }

  #cookieHeader(path: string): string {
    return [...this.cookies]
      .filter(
        ([, cookie]) =>
          path === cookie.path ||
          path.startsWith(`${cookie.path.replace(/\/$/, '')}/`) ||
          cookie.path === '/',
      )
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ');
  }

  #remember(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      const path = attributes.find((attribute) => attribute.startsWith('Path='))?.slice(5) ?? '/';
      if (attributes.includes('Max-Age=0')) this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
  }

  async request(
    method: string,
    path: string,
    form?: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Page> {
    const cookie = this.#cookieHeader(path.split('?')[0]);
    const response = await fetch(`${this.#base}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    this.#remember(response.headers);
    const text = await response.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(text);
    if (csrf) this.csrf = csrf[1];
    return {
      status: response.status,
      headers: response.headers,
      text,
      location: response.headers.get('location'),
    };
  }

  get(path: string): Promise<Page> {
    return this.request('GET', path);
  }

  /** POSTs `form` with the CSRF token of the last page (unless `form` sets `csrf` itself). */
  post(path: string, form: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Page> {
    return this.request('POST', path, { csrf: this.csrf, ...form }, headers);
  }

  /** Signs in to the console at `base` (`/console`, `/t/acme/console`). */
  async signIn(base: string, username: string, password = PASSWORD): Promise<Page> {
    await this.get(`${base}/sign-in`);
    return this.post(`${base}/sign-in`, { username, password });
  }
}
