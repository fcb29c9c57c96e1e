/**
 * Browser sign-in end to end (issue 10): a relying party built on openid-client (an OpenID-certified RP
 * library) on loopback, headless Chromium driving the IdP's pages, and the library accepting the result.
 *
 * - First-party confidential client: sign-in page → straight back with a code (no consent); the RP gets
 *   access, refresh and ID tokens (openid-client checks state, nonce, iss, aud, azp and, with
 *   non-repudiation checks on, the ID token signature against the JWKS), and userinfo; `at_hash` is checked
 *   here; the JWT access token passes the library's local verification.
 * - Third-party public client (PKCE is its only proof): consent page (client name, scopes) → Allow → tokens;
 *   its opaque access token passes the library's introspection; the consent is remembered for the session.
 * - RP-initiated logout with `id_token_hint` and a registered post-logout redirect ends the session.
 * - Pages: labelled fields, visible focus, no CSP violation; screenshots in test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import {
  allowInsecureRequests,
  authorizationCodeGrant,
  buildAuthorizationUrl,
  buildEndSessionUrl,
  ClientSecretBasic,
  type Configuration,
  calculatePKCECodeChallenge,
  discovery,
  enableNonRepudiationChecks,
  fetchUserInfo,
  None,
  randomNonce,
  randomPKCECodeVerifier,
  randomState,
  refreshTokenGrant,
} from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { requireScopes } from '../../../src/authz/scopes.ts';
import { accessTokenHash } from '../../../src/idp/browser/id-token.ts';
import type { Idp } from '../../../src/idp/server.ts';
import { createAuthenticator } from '../../../src/pipeline/create-authenticator.ts';
import { launchBrowser, screenshot } from '../../support/browser.ts';
import { closeServer, listen } from '../../support/loopback.ts';
import { ALICE, PORTAL_SECRET, startBrowserIdp } from './support.ts';

const RS_SECRET = 'rs-secret-0123456789-0123456789';

interface SignedIn {
  accessToken: string;
  refreshToken?: string;
  idToken: string;
  claims: Record<string, unknown>;
  userinfo: Record<string, unknown>;
  scope?: string;
}

/** A relying party with two registered apps (`/portal/…`, `/spa/…`), built on openid-client. */
class RelyingParty {
  readonly server = createServer((request, response) => this.#handle(request, response));
  origin = '';
  readonly configs = new Map<string, Configuration>();
  readonly #pending = new Map<string, { app: string; verifier: string; nonce: string }>();
  readonly results: SignedIn[] = [];

  async start(): Promise<void> {
    this.origin = await listen(this.server);
  }

  callback(app: string): string {
    return `${this.origin}/${app}/callback`;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.origin);
    const [, app, action] = url.pathname.split('/');
    const config = this.configs.get(app);
    try {
      if (action === 'login' && config) {
        const verifier = randomPKCECodeVerifier();
        const state = randomState();
        const nonce = randomNonce();
        this.#pending.set(state, { app, verifier, nonce });
        const target = buildAuthorizationUrl(config, {
          redirect_uri: this.callback(app),
          scope: url.searchParams.get('scope') ?? 'openid profile email',
          code_challenge: await calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
          nonce,
        });
        response.writeHead(302, { location: target.href }).end();
      } else if (action === 'callback' && config) {
        const pending = this.#pending.get(url.searchParams.get('state') ?? '');
        assert.ok(pending, 'a known state');
        const tokens = await authorizationCodeGrant(config, url, {
          pkceCodeVerifier: pending.verifier,
          expectedState: url.searchParams.get('state') ?? '',
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims() as Record<string, unknown>;
        const userinfo = await fetchUserInfo(config, tokens.access_token, claims.sub as string);
        this.results.push({
          accessToken: tokens.access_token,
          refreshToken: tokens.refresh_token,
          idToken: tokens.id_token ?? '',
          claims,
          userinfo: userinfo as Record<string, unknown>,
          scope: tokens.scope,
        });
        response.writeHead(200, { 'content-type': 'text/html' }).end(`<h1>Signed in as ${claims.sub}</h1>`);
      } else if (app === 'signed-out') {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Bye</h1>');
      } else {
        response.writeHead(404).end();
      }
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(`RP error: ${(error as Error).message}`);
    }
  }
}

describe('browser sign-in with openid-client and Chromium', () => {
  const rp = new RelyingParty();
  let idp: Idp;
  let browser: Browser;
  let context: BrowserContext;
  const cspViolations: string[] = [];

  before(async () => {
    await rp.start();
    idp = await startBrowserIdp(
      { portal: rp.callback('portal'), spa: rp.callback('spa') },
      { clients: [{ id: 'resource-server', secret: RS_SECRET, grantTypes: [], canIntrospect: true }] },
    );
    const execute = [allowInsecureRequests];
    const portal = await discovery(
      new URL(idp.issuer),
      'portal',
      PORTAL_SECRET,
      ClientSecretBasic(PORTAL_SECRET),
      {
        execute,
      },
    );
    const spa = await discovery(new URL(idp.issuer), 'spa', undefined, None(), { execute });
    enableNonRepudiationChecks(portal);
    enableNonRepudiationChecks(spa);
    rp.configs.set('portal', portal);
    rp.configs.set('spa', spa);
    browser = await launchBrowser();
    context = await browser.newContext();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await idp?.close();
    await closeServer(rp.server);
  });

  async function newPage(): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    return page;
  }

  it('first-party client: sign-in, no consent, tokens + ID token + userinfo, accepted by the library', async () => {
    const page = await newPage();
    await page.goto(`${rp.origin}/portal/login`);
    assert.equal(await page.title(), 'Sign in');
    assert.match(await page.locator('main').innerText(), /to continue to Company Portal/);
    await screenshot(page, 'sign-in');

    // Labels name the fields; the focus outline is visible.
    await page.getByLabel('Username').fill(ALICE.username);
    await page.getByLabel('Username').focus();
    assert.equal(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle'), 'solid');
    await page.getByLabel('Password').fill(ALICE.password);
    await Promise.all([
      page.waitForURL(`${rp.origin}/portal/callback?**`),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    assert.equal(await page.locator('h1').innerText(), 'Signed in as alice');
    await page.close();

    const result = rp.results.at(-1)!;
    assert.equal(result.claims.iss, idp.issuer);
    assert.equal(result.claims.sub, 'alice');
    assert.equal(result.claims.aud, 'portal');
    assert.equal(result.claims.azp, 'portal');
    assert.equal(typeof result.claims.auth_time, 'number');
    assert.equal(
      result.claims.at_hash,
      accessTokenHash(result.accessToken, decodeProtectedHeader(result.idToken).alg!),
    );
    assert.deepEqual(result.userinfo, {
      sub: 'alice',
      preferred_username: 'alice',
      name: ALICE.name,
      email: ALICE.email,
    });
    assert.equal(result.scope, 'openid profile email');
    assert.ok(result.refreshToken, 'the portal has the refresh_token grant');

    // The library verifies the JWT access token locally (JWKS by discovery); the user's policies are in it.
    const auth = createAuthenticator({
      config: { jwt: { trustedIssuerUrls: [idp.issuer], requireType: 'at+jwt' } },
    });
    try {
      const principal = await auth.check(
        { headers: { authorization: `Bearer ${result.accessToken}` } },
        { authorize: requireScopes(['openid']) },
      );
      assert.equal(principal.subject, 'alice');
      assert.equal(principal.clientId, 'portal');
    } finally {
      await auth.close();
    }

    // The refresh token works with the same library (openid-client), and keeps the user.
    const refreshed = await refreshTokenGrant(rp.configs.get('portal')!, result.refreshToken!);
    assert.ok(refreshed.access_token);
    const introspected = await fetch(`${idp.url}/oauth2/introspect`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`portal:${PORTAL_SECRET}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: refreshed.access_token }),
    });
    const answer = (await introspected.json()) as Record<string, unknown>;
    assert.equal(answer.active, true);
    assert.equal(answer.username, 'alice');
  });

  it('third-party public client: consent page, Allow, opaque token accepted by introspection; consent remembered', async () => {
    const page = await newPage();
    await page.goto(`${rp.origin}/spa/login?scope=${encodeURIComponent('openid profile')}`);
    assert.equal(await page.title(), 'Allow Third-Party Planner?');
    const text = await page.locator('main').innerText();
    assert.match(text, /Third-Party Planner/);
    assert.match(text, /Know who you are/);
    assert.match(text, /See your user name and full name/);
    assert.match(text, /signed in as alice/i);
    assert.match(text, new RegExp(`return to ${rp.origin.replaceAll('.', '\\.')}`));
    await screenshot(page, 'consent');
    await Promise.all([
      page.waitForURL(`${rp.origin}/spa/callback?**`),
      page.getByRole('button', { name: 'Allow' }).click(),
    ]);
    assert.equal(await page.locator('h1').innerText(), 'Signed in as alice');

    const result = rp.results.at(-1)!;
    assert.equal(result.claims.aud, 'spa');
    assert.deepEqual(result.userinfo, { sub: 'alice', preferred_username: 'alice', name: ALICE.name });
    assert.doesNotMatch(result.accessToken, /\./, 'the spa gets opaque tokens');
    // A public client refreshes with its client_id alone (RFC 6749 §6), the refresh token rotating.
    const refreshed = await refreshTokenGrant(rp.configs.get('spa')!, result.refreshToken!);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== result.refreshToken);

    const auth = createAuthenticator({
      config: {
        introspection: {
          issuer: idp.issuer,
          clientAuth: { clientId: 'resource-server', clientSecret: RS_SECRET },
        },
      },
    });
    try {
      const principal = await auth.authenticate({
        headers: { authorization: `Bearer ${result.accessToken}` },
      });
      assert.equal(principal.subject, 'alice');
      assert.equal(principal.method, 'introspection');
    } finally {
      await auth.close();
    }

    // The same scopes again: no consent page this time.
    await Promise.all([
      page.waitForURL(`${rp.origin}/spa/callback?**`),
      page.goto(`${rp.origin}/spa/login?scope=openid`),
    ]);
    assert.equal(await page.locator('h1').innerText(), 'Signed in as alice');
    await page.close();
  });

  it('narrow screens: the sign-in page fits without horizontal scrolling', async () => {
    const narrow = await browser.newContext({ viewport: { width: 360, height: 740 } });
    try {
      const page = await narrow.newPage();
      await page.goto(`${rp.origin}/portal/login`);
      assert.equal(await page.title(), 'Sign in');
      const overflow = await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      assert.equal(overflow, 0);
      await screenshot(page, 'sign-in-narrow');
    } finally {
      await narrow.close();
    }
  });

  it('RP-initiated logout with id_token_hint ends the session and returns to the registered URI', async () => {
    const result = rp.results.find((entry) => entry.claims.aud === 'portal')!;
    const page = await newPage();
    const logout = buildEndSessionUrl(rp.configs.get('portal')!, {
      id_token_hint: result.idToken,
      post_logout_redirect_uri: `${rp.origin}/signed-out`,
      state: 'bye-1',
    });
    await page.goto(logout.href);
    assert.equal(new URL(page.url()).pathname, '/signed-out');
    assert.equal(new URL(page.url()).searchParams.get('state'), 'bye-1');
    // Signed out: the next sign-in shows the form again.
    await page.goto(`${rp.origin}/portal/login`);
    assert.equal(await page.title(), 'Sign in');
    await page.close();
  });

  it('no page violated the Content-Security-Policy', () => {
    assert.deepEqual(cspViolations, []);
  });
});
