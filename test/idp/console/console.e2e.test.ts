/**
 * @module test/idp/console/console.e2e.test
 * The management console in real headless Chromium against a real IdP (seed 002's flow, end to end): an
 * administrator signs in, registers an application, copies its secret with the copy button, obtains a
 * token with it by `client_credentials` from the command line (curl, like seed 000), finds the token in
 * the token list, inspects it in the introspection playground (active), revokes it, and the introspection
 * endpoint then answers `{"active":false}`. Security on the way: a non-administrator cannot sign in, the
 * session id changes at sign-in (a planted cookie is useless), a POST without CSRF token is refused with
 * 403, signing out invalidates the session on the server, and no log line holds the token, the secret or
 * the password. Each page is saved as a screenshot to
 * `test-results/screenshots/console-*.png`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createIdp, type Idp } from '../../../src/idp/server.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { launchBrowser, screenshot } from '../../support/browser.ts';

const run = promisify(execFile);
const ADMIN_PASSWORD = 'console-admin-password';

let idp: Idp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every log line the IdP wrote (JSON lines): no token, secret or password may appear in them. */
const logLines: string[] = [];

before(async () => {
  idp = await createIdp(
    {
      port: 0,
      store: 'memory',
      users: [
        { username: 'root', password: ADMIN_PASSWORD, admin: true },
        { username: 'alice', password: 'alice-password', admin: false },
      ],
    },
    { logger: createLogger({ destination: { write: (line: string) => void logLines.push(line) } }) },
  );
  browser = await launchBrowser();
  context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: idp.url });
  page = await context.newPage();
  // Confirm dialogs of the console's script (revoke) are accepted.
  page.on('dialog', (dialog) => void dialog.accept());
});

after(async () => {
  await browser?.close();
  await idp?.close();
});

/** `curl` as seed 000 and seed 002 call the IdP: form POST with Basic client credentials. */
async function curlForm(url: string, user: string, data: string): Promise<Record<string, unknown>> {
  const { stdout } = await run('curl', ['-s', '--fail-with-body', '-u', user, '-d', data, url]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

async function signIn(username: string, password: string): Promise<void> {
  await page.goto(`${idp.url}/console/sign-in`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState();
}

const sessionCookie = async () =>
  (await context.cookies(`${idp.url}/console/applications`)).find((cookie) => cookie.name === 'tg_console');

it('registers an application, issues, finds, inspects and revokes its token through the console', async () => {
  // A user who is not an administrator is refused, with the generic message and no session.
  await signIn('alice', 'alice-password');
  assert.match(await page.locator('.error-summary').innerText(), /Wrong user name or password/);
  assert.equal(await sessionCookie(), undefined);
  await screenshot(page, 'console-sign-in');

  // Session fixation: an id planted before sign-in is replaced by a fresh one.
  await context.addCookies([
    { name: 'tg_console', value: 'planted-by-an-attacker', domain: '127.0.0.1', path: '/console' },
  ]);
  await signIn('root', ADMIN_PASSWORD);
  assert.equal(new URL(page.url()).pathname, '/console/applications');
  const session = await sessionCookie();
  assert.ok(session && session.value !== 'planted-by-an-attacker');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  // The first focusable element is the skip link (keyboard users reach the content in one step).
  await page.keyboard.press('Tab');
  assert.equal(await page.locator(':focus').innerText(), 'Skip to main content');
  await screenshot(page, 'console-applications');

  // Register an application (seed 002: name, description, OAuth config with callback URL).
  await page.getByRole('link', { name: 'Register an application' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Billing service');
  await page.getByLabel('Description (optional)').fill('Issues invoices');
  await page.getByLabel('Callback URLs').fill('https://billing.example/callback');
  await page.getByLabel('Scopes it may request').fill('read write');
  await page.getByLabel('Roles granted (access policies)').fill('billing admin');
  await page.getByLabel('May introspect any token of this tenant').check();
  await screenshot(page, 'console-application-new');
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByRole('heading', { name: 'Application registered' }).waitFor();
  const clientId = (await page.locator('#client-id').innerText()).trim();
  const shown = (await page.locator('#client-secret').innerText()).trim();
  await page.getByRole('button', { name: 'Copy client secret' }).click();
  await page.getByRole('button', { name: 'Copied' }).waitFor();
  // Page scripts run in the browser; the expressions are strings because this project has no DOM types.
  const secret = String(await page.evaluate('navigator.clipboard.readText()'));
  assert.equal(secret, shown);
  await screenshot(page, 'console-application-registered');
  const stored = await idp.store.clients.get('default', clientId);
  assert.equal(stored?.name, 'Billing service');
  assert.equal(stored?.secretHash?.includes(secret), false, 'only the hash is stored');

  // A token from the command line with the copied credentials (client_credentials, seed 002).
  const issued = await curlForm(
    `${idp.url}/oauth2/token`,
    `${clientId}:${secret}`,
    'grant_type=client_credentials&scope=read',
  );
  const accessToken = String(issued.access_token);
  assert.equal(issued.token_type, 'Bearer');

  // The token list shows it, with the introspection endpoint's answer.
  await page.getByRole('link', { name: 'Tokens' }).click();
  await page.getByLabel('Client ID').fill(clientId);
  await page.getByRole('button', { name: 'Search active tokens' }).click();
  // `count()` does not wait: it would read the page the search is leaving. The first result row does.
  await page.locator('tbody tr.token').first().waitFor();
  assert.equal(await page.locator('tbody tr.token').count(), 1);
  await page.locator('tbody tr.answer summary').click();
  const listed = JSON.parse(await page.locator('tbody tr.answer pre').innerText()) as Record<string, unknown>;
  assert.equal(listed.active, true);
  assert.equal(listed.client_id, clientId);
  await screenshot(page, 'console-tokens');

  // The playground: decoded JWT, every verification step passes, the answer is active.
  await page.getByRole('link', { name: 'Introspection playground' }).click();
  await page.getByLabel('Token').fill(accessToken);
  await page.getByRole('button', { name: 'Inspect' }).click();
  await page.getByRole('heading', { name: 'Result: active' }).waitFor();
  const steps = await page.locator('ol.steps li').allInnerTexts();
  assert.equal(steps.length, 6);
  for (const step of steps) assert.match(step, /^Pass /, step);
  const header = JSON.parse(await page.getByLabel('Decoded JOSE header').innerText()) as Record<
    string,
    unknown
  >;
  assert.equal(header.typ, 'at+jwt');
  await screenshot(page, 'console-playground');

  // Revoke it from the token list; the introspection endpoint then says inactive.
  await page.getByRole('link', { name: 'Tokens' }).click();
  await page.getByLabel('Client ID').fill(clientId);
  await page.getByRole('button', { name: 'Search active tokens' }).click();
  await page.getByRole('button', { name: 'Revoke', exact: true }).click();
  await page.getByText('Token revoked.').waitFor();
  assert.equal(await page.locator('tbody tr.token').count(), 0);
  const answer = await curlForm(
    `${idp.url}/oauth2/introspect`,
    `${clientId}:${secret}`,
    `token=${accessToken}`,
  );
  assert.deepEqual(answer, { active: false });

  // The other pages, for the record; the live figures count what just happened.
  await page.getByRole('link', { name: 'Users' }).click();
  await screenshot(page, 'console-users');
  await page.getByRole('link', { name: 'Tenants' }).click();
  await screenshot(page, 'console-tenants');
  await page.getByRole('link', { name: 'Live figures' }).click();
  assert.equal(await page.locator('[data-figure="tokensIssued"]').innerText(), '1');
  assert.equal(await page.locator('[data-figure="introspections.inactive"]').innerText(), '1');
  // The page's script refreshes the figures in place: a second token shows up without a reload.
  await curlForm(`${idp.url}/oauth2/token`, `${clientId}:${secret}`, 'grant_type=client_credentials');
  await page.locator('[data-figure="tokensIssued"]', { hasText: '2' }).waitFor({ timeout: 15_000 });
  await screenshot(page, 'console-live');

  // Narrow screen: nothing wider than the viewport (tables scroll inside their own region).
  await page.setViewportSize({ width: 360, height: 740 });
  await page.getByRole('link', { name: 'Applications' }).click();
  assert.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true);
  await screenshot(page, 'console-applications-narrow');
  await page.setViewportSize({ width: 1280, height: 800 });
});

it('refuses a POST without CSRF token with 403 and invalidates the session on sign-out', async () => {
  // The page's own session and origin, but no CSRF token in the form.
  const status = await page.evaluate(`fetch('/console/applications/new', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'client_id=forged&name=Forged',
  }).then((response) => response.status)`);
  assert.equal(status, 403);
  assert.equal(await idp.store.clients.get('default', 'forged'), undefined);

  const before = await sessionCookie();
  assert.ok(before);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You have signed out.').waitFor();
  assert.equal(await sessionCookie(), undefined);
  // The old id, replayed by another browser, no longer opens the console.
  const replay = await browser.newContext();
  try {
    await replay.addCookies([
      { name: 'tg_console', value: before.value, domain: '127.0.0.1', path: '/console' },
    ]);
    const other = await replay.newPage();
    await other.goto(`${idp.url}/console/applications`);
    assert.equal(new URL(other.url()).pathname, '/console/sign-in');
  } finally {
    await replay.close();
  }
});
