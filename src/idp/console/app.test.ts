/**
 * @module idp/console/app.test
 * The console's request handling over real HTTP: sign-in (administrators only, generic failure, throttle,
 * login CSRF, fixation), the session cookie's attributes, CSRF and origin checks on every POST, idle expiry,
 * sign-out, tenant isolation, and a demoted administrator losing access at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifySecret } from '../secrets.ts';
import { GENERIC_FAILURE } from './sign-in.ts';
import { Browser, type Harness, IDLE_MS, startConsole } from './test-support/harness.ts';

let harness: Harness;
before(async () => {
  harness = await startConsole();
});
after(() => harness.close());

const browser = () => new Browser(harness.url);

async function signedIn(base = '/console', username = 'root'): Promise<Browser> {
  const b = browser();
  const page = await b.signIn(base, username);
  assert.equal(page.status, 303, page.text);
  await b.get(`${base}/applications`);
  return b;
}

describe('sign-in', () => {
  it('sends a visitor without a session to the sign-in page', async () => {
    const page = await browser().get('/console/applications');
    assert.equal(page.status, 303);
    assert.equal(page.location, '/console/sign-in?next=%2Fconsole%2Fapplications');
  });

  it('admits an administrator with an HttpOnly, SameSite=Strict cookie scoped to the tenant console', async () => {
    const b = browser();
    const page = await b.signIn('/console', 'root');
    assert.equal(page.status, 303);
    assert.equal(page.location, '/console/applications');
    const cookie = b.setCookies.find((line) => line.startsWith('tg_console='));
    assert.ok(cookie, 'a session cookie is set');
    assert.match(cookie, /; Path=\/console; HttpOnly; SameSite=Strict$/);
    assert.doesNotMatch(cookie, /Secure/, 'plain HTTP: no Secure attribute');
    const home = await b.get('/console/applications');
    assert.equal(home.status, 200);
    assert.match(home.text, /root · tenant default/);
  });

  it('refuses a user who is not an administrator with the generic message and no session', async () => {
    const b = browser();
    const page = await b.signIn('/console', 'plain');
    assert.equal(page.status, 401);
    assert.ok(page.text.includes(GENERIC_FAILURE.replaceAll("'", '&#39;')));
    assert.equal(b.cookies.has('tg_console'), false);
    assert.equal((await b.get('/console/applications')).status, 303);
  });

  it('answers a wrong password and an unknown user exactly like a non-administrator', async () => {
    const texts = [];
    for (const [username, password] of [
      ['root', 'wrong password'],
      ['nobody', 'whatever it is'],
    ]) {
      const page = await browser().signIn('/console', username, password);
      assert.equal(page.status, 401);
      texts.push(page.text.replace(/value="[^"]*"/g, ''));
    }
    assert.equal(texts[0], texts[1]);
  });

  it('refuses a sign-in POST without the pre-session CSRF token (login CSRF)', async () => {
    const b = browser();
    await b.get('/console/sign-in');
    const page = await b.post('/console/sign-in', { username: 'root', password: 'x', csrf: 'forged' });
    assert.equal(page.status, 403);
    const fresh = await browser().request('POST', '/console/sign-in', { username: 'root', password: 'x' });
    assert.equal(fresh.status, 403);
  });

  it('gives a new session id at every sign-in and destroys the one the browser came with (fixation)', async () => {
    const b = await signedIn();
    const first = b.cookies.get('tg_console')!.value;
    const again = await b.signIn('/console', 'root');
    assert.equal(again.status, 303);
    const second = b.cookies.get('tg_console')!.value;
    assert.notEqual(first, second);
    const stale = browser();
    stale.cookies.set('tg_console', { value: first, path: '/console' });
    assert.equal((await stale.get('/console/applications')).status, 303, 'the old id no longer works');
  });

  it('throttles repeated failures for an account with 429 and Retry-After', async (t) => {
    // A console of its own: the back-off must not leak into the other tests.
    const own = await startConsole();
    t.after(() => own.close());
    const attempt = (password: string) => new Browser(own.url).signIn('/t/acme/console', 'boss', password);
    let page = await attempt('wrong password');
    for (let count = 1; count < 7 && page.status !== 429; count++) page = await attempt('wrong password');
    assert.equal(page.status, 429);
    assert.match(page.headers.get('retry-after') ?? '', /^\d+$/);
    // Even the right password waits until the back-off has passed.
    assert.equal((await attempt('correct horse battery')).status, 429);
    own.clock.advance(60_000);
    assert.equal((await attempt('correct horse battery')).status, 303);
  });
});

describe('authenticated requests', () => {
  it('refuses a POST without a valid CSRF token with 403 and changes nothing', async () => {
    const b = await signedIn();
    for (const csrf of ['', 'not-the-token']) {
      const page = await b.request('POST', '/console/applications/new', {
        csrf,
        client_id: 'evil',
        name: 'Evil',
      });
      assert.equal(page.status, 403);
      assert.match(page.text, /Request refused/);
    }
    const other = await signedIn();
    const foreign = await b.request('POST', '/console/applications/new', {
      csrf: other.csrf,
      client_id: 'evil',
      name: 'Evil',
    });
    assert.equal(foreign.status, 403, "another session's token is refused");
    assert.equal(await harness.store.clients.get('default', 'evil'), undefined);
  });

  it('refuses a POST from another origin even with the right token', async () => {
    const b = await signedIn();
    const page = await b.post(
      '/console/applications/new',
      { client_id: 'evil2', name: 'Evil' },
      { origin: 'https://attacker.example' },
    );
    assert.equal(page.status, 403);
    const site = await b.post(
      '/console/applications/new',
      { client_id: 'evil2', name: 'Evil' },
      { 'sec-fetch-site': 'cross-site' },
    );
    assert.equal(site.status, 403);
    assert.equal(await harness.store.clients.get('default', 'evil2'), undefined);
  });

  it('registers an application and shows its secret once, storing only its hash', async () => {
    const b = await signedIn();
    await b.get('/console/applications/new');
    const page = await b.post('/console/applications/new', {
      client_id: 'billing',
      name: 'Billing',
      description: 'Invoices',
      'grant:client_credentials': 'on',
      scopes: 'read write',
      token_format: 'opaque',
      access_token_ttl: '600',
      policies: 'my_service admin',
    });
    assert.equal(page.status, 200, page.text);
    const secret = /<code id="client-secret"[^>]*>([^<]+)<\/code>/.exec(page.text)?.[1];
    assert.ok(secret && secret.length >= 43);
    const client = await harness.store.clients.get('default', 'billing');
    assert.ok(client);
    assert.equal(verifySecret(secret, client.secretHash), true);
    assert.equal(client.secretHash?.includes(secret), false);
    assert.deepEqual(
      [client.tokenFormat, client.accessTokenTtl, client.scopes, client.policies],
      ['opaque', 600, ['read', 'write'], [{ rn: 'my_service', role: 'admin' }]],
    );
    assert.equal(page.headers.get('cache-control'), 'no-store');
  });

  it('ends a session left idle longer than the idle timeout', async () => {
    const b = await signedIn();
    harness.clock.advance(IDLE_MS + 1000);
    try {
      const page = await b.get('/console/applications');
      assert.equal(page.status, 303);
      assert.match(page.location ?? '', /^\/console\/sign-in\?expired=1/);
    } finally {
      harness.clock.advance(-(IDLE_MS + 1000));
    }
  });

  it('invalidates the session on sign-out, server side', async () => {
    const b = await signedIn();
    const id = b.cookies.get('tg_console')!.value;
    const out = await b.post('/console/sign-out');
    assert.equal(out.status, 303);
    assert.equal(out.location, '/console/sign-in?signed-out=1');
    assert.equal(b.cookies.has('tg_console'), false, 'the cookie is cleared');
    const replay = browser();
    replay.cookies.set('tg_console', { value: id, path: '/console' });
    assert.equal((await replay.get('/console/applications')).status, 303, 'a copied cookie is worthless');
  });

  it("does not let an administrator of one tenant into another tenant's console", async () => {
    const b = await signedIn('/t/acme/console', 'boss');
    const id = b.cookies.get('tg_console')!;
    assert.equal(id.path, '/t/acme/console');
    const intruder = browser();
    intruder.cookies.set('tg_console', { value: id.value, path: '/' });
    assert.equal((await intruder.get('/console/applications')).status, 303);
    assert.equal((await browser().signIn('/console', 'boss')).status, 401, 'boss is no user of default');
  });

  it('shuts out an administrator demoted while signed in', async () => {
    const b = await signedIn('/t/acme/console', 'boss');
    const boss = (await harness.store.users.get('acme', 'boss'))!;
    await harness.store.users.put({ ...boss, admin: false });
    try {
      assert.equal((await b.get('/t/acme/console/applications')).status, 303);
    } finally {
      await harness.store.users.put(boss);
    }
  });

  it('serves its script and stylesheet itself under a CSP of self only', async () => {
    const b = await signedIn();
    const page = await b.get('/console/applications');
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(page.text, /https?:\/\/(?!127\.0\.0\.1)/, 'no external resource');
    const script = await browser().get('/console/assets/console.js');
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal((await browser().get('/console/assets/other.js')).status, 303, 'no other file is served');
  });

  it('answers 404 for an unknown tenant and 405 for other methods', async () => {
    assert.equal((await browser().get('/t/nope/console/sign-in')).status, 404);
    assert.equal((await browser().request('DELETE', '/console/applications')).status, 405);
  });
});
