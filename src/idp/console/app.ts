/**
 * @module idp/console/app
 * The management console's request handling: `createConsole(options)` returns a handler for console paths
 * (`paths.ts`), which the IdP's server mounts beside its protocol endpoints (`listener.ts`).
 *
 * Every request goes the same way:
 * 1. Assets (`/console/assets/*`) and the sign-in page need no session.
 * 2. Otherwise the session cookie must name a live session (idle and absolute timeouts, `web/session`) of
 *    an administrator of this very tenant, and the user must still be an enabled administrator in the
 *    store (a demoted or disabled administrator is out on their next click). Without one: 303 to sign-in.
 * 3. A POST must come from this origin (Fetch Metadata `Sec-Fetch-Site`, else `Origin`, when the browser
 *    sends them) and carry the session's CSRF token (`web/csrf`); otherwise 403 and nothing happens. Only GET, HEAD and POST exist (405 else).
 * 4. The section's handler answers; a bad form body is 400 / 413, any other failure a generic 500 page,
 *    logged without the request body (it may hold a password, a secret or a pasted token).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { TokenguardError } from '../../errors/tokenguard-error.ts';
import type { Logger } from '../../observability/logger.ts';
import type { IdpConfig } from '../config/schema.ts';
import type { KeyManager } from '../keys/key-manager.ts';
import type { IdpStore } from '../store/types.ts';
import type { TokenService } from '../tokens/types.ts';
import { csrfToken, newCsrfSecret, verifyCsrf } from '../web/csrf.ts';
import { readForm } from '../web/form.ts';
import { html, sendRedirect } from '../web/html.ts';
import { SessionStore } from '../web/session.ts';
import { SignInThrottle } from '../web/throttle.ts';
import { isAsset, sendAsset } from './assets.ts';
import type { ConsoleContext, ConsoleDeps } from './context.ts';
import { consolePage, sendConsolePage } from './layout.ts';
import { LiveFigures } from './live-figures.ts';
import { applicationsSection } from './pages/applications.ts';
import { liveSection } from './pages/live.ts';
import { playgroundSection } from './pages/playground.ts';
import { tenantsSection } from './pages/tenants.ts';
import { tokensSection } from './pages/tokens.ts';
import { usersSection } from './pages/users.ts';
import { type ConsolePath, consoleHref } from './paths.ts';
import { type SignInDeps, sessionIdOf, showSignIn, signOut, submitSignIn } from './sign-in.ts';
import type { Revocations } from './tokens.ts';

/** A section's handler: answers and returns true, or returns false for a path it does not have (404). */
export type Section = (context: ConsoleContext, rest: readonly string[]) => Promise<boolean>;

const SECTIONS: Readonly<Record<string, Section>> = {
  applications: applicationsSection,
  users: usersSection,
  tenants: tenantsSection,
  tokens: tokensSection,
  playground: playgroundSection,
  live: liveSection,
};

export interface ConsoleOptions {
  config: IdpConfig;
  store: IdpStore;
  tokens: TokenService;
  keys: KeyManager;
  logger: Logger;
  /** The registry holding the IdP's counters (`idp/metrics`), read for the live figures. */
  registry: Registry;
  base: () => string;
  /** The IdP speaks TLS (cookies get `Secure`). */
  tls: boolean;
  /** A session ends after this long without a request (milliseconds). */
  idleTimeoutMs: number;
  /** A session ends this long after sign-in (milliseconds). */
  absoluteTimeoutMs: number;
  /** The IdP's revocation service (`idp.revocations`), so console revocations reach caches at once. */
  revocations?: Revocations;
  /** Clock, epoch milliseconds (tests move it to expire sessions). */
  now?: () => number;
  throttle?: SignInThrottle;
}

export interface Console {
  /** Answers a request whose path `matchConsolePath` resolved. */
  handle(request: IncomingMessage, response: ServerResponse, path: ConsolePath): Promise<void>;
}

function errorPage(response: ServerResponse, path: ConsolePath, status: number, title: string, text: string) {
  const body = html`<p>${text}</p><p><a href="${consoleHref(path.tenant)}">Back to the console</a></p>`;
  sendConsolePage(response, status, consolePage({ title, body, tenant: path.tenant }));
}

/**
 * Whether a POST comes from the console's own pages (Fetch Metadata, then `Origin`). Browsers send
 * `Sec-Fetch-Site`, which must be `same-origin`; older ones send `Origin`, which must be this server's (the
 * Host it was reached at, or the configured issuer's). The pages' `no-referrer` policy makes Chromium send
 * `Origin: null`, which says nothing, and clients that are no browser send neither: the CSRF token, checked
 * on every POST anyway, decides then.
 */
function sameOrigin(request: IncomingMessage, tls: boolean, base: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return true;
  const own = `${tls ? 'https' : 'http'}://${request.headers.host ?? ''}`;
  return origin === own || origin === new URL(base).origin;
}

export function createConsole(options: ConsoleOptions): Console {
  const now = options.now ?? Date.now;
  const sessions = new SessionStore({
    idleTimeoutMs: options.idleTimeoutMs,
    absoluteTimeoutMs: options.absoluteTimeoutMs,
    now,
  });
  const signIn: SignInDeps = {
    store: options.store,
    sessions,
    throttle: options.throttle ?? new SignInThrottle({ now }),
    csrfSecret: newCsrfSecret(),
    secure: options.tls,
  };
  const deps: ConsoleDeps = {
    config: options.config,
    store: options.store,
    tokens: options.tokens,
    keys: options.keys,
    logger: options.logger,
    figures: new LiveFigures(options.registry, now),
    base: options.base,
    revocations: options.revocations,
    now,
  };
  const forbidden = (response: ServerResponse, path: ConsolePath) =>
    errorPage(
      response,
      path,
      403,
      'Request refused',
      'This form has expired or did not come from this console. Go back, reload the page and try again.',
    );

  async function serve(request: IncomingMessage, response: ServerResponse, path: ConsolePath) {
    const method = request.method === 'HEAD' ? 'GET' : (request.method ?? 'GET');
    if (method !== 'GET' && method !== 'POST') {
      response.setHeader('allow', 'GET, HEAD, POST');
      return errorPage(response, path, 405, 'Method not allowed', 'Use GET or POST.');
    }
    const [section, ...rest] = path.rest;
    if (section === 'assets' && rest.length === 1 && isAsset(rest[0]) && method === 'GET') {
      return sendAsset(request, response, rest[0]);
    }
    if (!(await options.store.tenants.get(path.tenant))) {
      return errorPage(response, path, 404, 'Not found', 'This tenant has no console.');
    }
    const query = new URL(request.url ?? '/', 'http://console.invalid').searchParams;
    if (method === 'POST' && !sameOrigin(request, options.tls, options.base()))
      return forbidden(response, path);
    if (section === 'sign-in' && rest.length === 0) {
      if (method === 'GET') {
        const notice = query.has('signed-out')
          ? 'You have signed out.'
          : query.has('expired')
            ? 'Your session has ended. Sign in again.'
            : undefined;
        return showSignIn(request, response, path, signIn, { notice, next: query.get('next') ?? undefined });
      }
      const form = await readForm(request);
      if (!(await submitSignIn(request, response, path, signIn, form))) forbidden(response, path);
      return;
    }

    const sessionId = sessionIdOf(request, options.tls);
    const session = sessions.get(sessionId);
    const user =
      session && session.tenant === path.tenant && session.kind === 'admin'
        ? await options.store.users.get(path.tenant, session.username)
        : undefined;
    if (!session || !user?.admin || user.disabled) {
      if (session) sessions.destroy(session.id);
      const params = new URLSearchParams();
      if (sessionId) params.set('expired', '1');
      // Back to the page asked for after sign-in (GET only: a POST's form is gone anyway).
      if (method === 'GET' && request.url) params.set('next', request.url.split('?')[0]);
      const search = params.size ? `?${params}` : '';
      return sendRedirect(response, `${consoleHref(path.tenant, 'sign-in')}${search}`);
    }
    const form = method === 'POST' ? await readForm(request) : new URLSearchParams();
    if (method === 'POST' && !verifyCsrf(session, form.get('csrf'), signIn.csrfSecret)) {
      return forbidden(response, path);
    }
    if (section === 'sign-out' && rest.length === 0 && method === 'POST') {
      return signOut(response, path, signIn, session.id);
    }
    if (section === undefined) return sendRedirect(response, consoleHref(path.tenant, 'applications'));
    const context: ConsoleContext = {
      request,
      response,
      deps,
      path,
      query,
      method,
      form,
      session,
      user,
      viewer: { tenant: path.tenant, username: user.username, csrf: csrfToken(session, signIn.csrfSecret) },
      now: Math.floor(now() / 1000),
    };
    const handler = Object.hasOwn(SECTIONS, section) ? SECTIONS[section] : undefined;
    if (!handler || !(await handler(context, rest))) {
      errorPage(response, path, 404, 'Not found', 'The console has no such page.');
    }
  }

  return {
    async handle(request, response, path) {
      try {
        await serve(request, response, path);
      } catch (error) {
        if (response.headersSent) {
          response.destroy();
          return;
        }
        if (error instanceof TokenguardError && error.httpStatus < 500) {
          errorPage(response, path, error.httpStatus, 'Bad request', error.message);
          return;
        }
        options.logger.error({ err: error, uri: path.base }, 'console request failed');
        errorPage(
          response,
          path,
          500,
          'Something went wrong',
          'The console could not complete this request.',
        );
      }
    },
  };
}
