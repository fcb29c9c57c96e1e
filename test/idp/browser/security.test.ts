/**
 * Browser sign-in, the attacks and the refusals (issue 10), spoken to over plain HTTP with a cookie-keeping
 * agent (no browser needed to send what a browser would not):
 *
 * - redirect_uri: only exact matches; prefix, suffix, other host, case, query and userinfo variants get an
 *   error page and never a redirect (RFC 6749 §4.1.2.1, RFC 9700 §4.1); so do unknown clients;
 * - PKCE: required, S256 only (RFC 7636, RFC 9700 §2.1.1); errors go back with state and iss (RFC 9207);
 * - codes: single use (a replay also revokes what the code gave, RFC 6749 §4.1.2), bound to the client,
 *   the redirect_uri and the verifier; a wrong verifier does not burn the code;
 * - sign-in: CSRF token required (403), a new session id at sign-in (fixation), one message for unknown
 *   user, wrong password and disabled user, back-off to 429 with Retry-After after repeated failures;
 * - consent: CSRF bound to the session, Deny → access_denied, prompt=none → login_required / consent_required;
 * - userinfo and logout refusals.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Idp } from '../../../src/idp/server.ts';
import { basic } from '../support/seed-idp.ts';
import {
  Agent,
  type AgentAnswer,
  ALICE,
  alertText,
  authorizeUrl,
  BOB,
  hiddenField,
  type Pkce,
  PORTAL_SECRET,
  pkce,
  startBrowserIdp,
} from './support.ts';

const PORTAL_CB = 'https://portal.example/callback';
const SPA_CB = 'https://spa.example/cb?from=idp';
const SESSION = 'tg_session-default';

function portalRequest(challenge: Pkce, extra: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: 'portal',
    redirect_uri: PORTAL_CB,
    response_type: 'code',
    scope: 'openid profile',
    state: 'state-123',
    nonce: 'nonce-456',
    code_challenge: challenge.challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

/** The parameters of a redirect's query. */
function redirectQuery(answer: AgentAnswer): URLSearchParams {
  assert.equal(answer.status, 303, `expected a redirect, got ${answer.status}: ${answer.text.slice(0, 200)}`);
  return new URL(answer.location!).searchParams;
}

/** Posts the sign-in form of `page` with `username` / `password`. */
function submitSignIn(agent: Agent, idp: Idp, page: AgentAnswer, username: string, password: string) {
  return agent.post(`${idp.url}/oauth2/signin`, {
    csrf_token: hiddenField(page.text, 'csrf_token') ?? '',
    authorization_request: hiddenField(page.text, 'authorization_request') ?? '',
    username,
    password,
  });
}

async function tokenRequest(idp: Idp, form: Record<string, string>, authorization?: string) {
  const response = await fetch(`${idp.url}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

const PORTAL_AUTH = basic('portal', PORTAL_SECRET);

describe('browser sign-in: security', () => {
  let idp: Idp;
  before(async () => {
    idp = await startBrowserIdp(
      { portal: PORTAL_CB, spa: SPA_CB },
      { users: [ALICE, BOB, { username: 'carol', password: 'carol-password', disabled: true }] },
    );
  });
  after(() => idp.close());

  /** Signs alice in through the portal and returns the code redirect's parameters. */
  async function portalCode(agent: Agent, challenge: Pkce, extra: Record<string, string> = {}) {
    const page = await agent.get(authorizeUrl(idp, portalRequest(challenge, extra)));
    assert.equal(page.status, 200);
    return redirectQuery(await submitSignIn(agent, idp, page, ALICE.username, ALICE.password));
  }

  it('redirect_uri variants that are not exactly registered get an error page, never a redirect', async () => {
    const challenge = await pkce();
    for (const redirect_uri of [
      `${PORTAL_CB}/extra`,
      `${PORTAL_CB}x`,
      PORTAL_CB.slice(0, -1),
      `${PORTAL_CB}?next=1`,
      `${PORTAL_CB}#frag`,
      'https://PORTAL.example/callback',
      'https://portal.example:443/callback',
      'https://evil.example/callback',
      'https://portal.example.evil.example/callback',
      'https://portal.example/callback/../evil',
      'https://evil.example@portal.example/callback',
      SPA_CB,
    ]) {
      const answer = await new Agent().get(authorizeUrl(idp, portalRequest(challenge, { redirect_uri })));
      assert.equal(answer.status, 400, redirect_uri);
      assert.equal(answer.location, null, redirect_uri);
      assert.equal(alertText(answer.text), 'The redirect_uri is not registered for this client.');
      assert.match(answer.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    }
    for (const [query, message] of [
      [{ client_id: 'nobody' }, 'The client is unknown.'],
      [{ client_id: '' }, 'The request names no client (client_id).'],
      [{ redirect_uri: '' }, 'The request has no redirect_uri.'],
    ] as const) {
      const answer = await new Agent().get(authorizeUrl(idp, portalRequest(challenge, query)));
      assert.equal(answer.status, 400);
      assert.equal(answer.location, null);
      assert.equal(alertText(answer.text), message);
    }
    const repeated = await new Agent().get(
      `${authorizeUrl(idp, portalRequest(challenge))}&redirect_uri=${encodeURIComponent('https://evil.example/')}`,
    );
    assert.equal(repeated.status, 400);
    assert.equal(repeated.location, null);
  });

  it('PKCE is required with S256; errors go back with error, state and iss (RFC 9207)', async () => {
    const challenge = await pkce();
    const cases: [Record<string, string>, string][] = [
      [{ code_challenge: '' }, 'invalid_request'],
      [{ code_challenge_method: '' }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge: 'too-short' }, 'invalid_request'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ response_mode: 'fragment' }, 'invalid_request'],
      [{ scope: 'openid admin' }, 'invalid_scope'],
      [{ prompt: 'none login' }, 'invalid_request'],
      [{ request: 'eyJ...' }, 'request_not_supported'],
      [{ prompt: 'none' }, 'login_required'],
    ];
    for (const [extra, error] of cases) {
      const query = redirectQuery(await new Agent().get(authorizeUrl(idp, portalRequest(challenge, extra))));
      assert.equal(query.get('error'), error, JSON.stringify(extra));
      assert.equal(query.get('state'), 'state-123');
      assert.equal(query.get('iss'), idp.issuer);
      assert.ok(query.get('error_description'));
      assert.equal(query.get('code'), null);
    }
  });

  it('a registered redirect_uri with a query keeps it (RFC 6749 §3.1.2)', async () => {
    const answer = await new Agent().get(
      authorizeUrl(idp, {
        ...portalRequest(await pkce(), { response_type: 'token' }),
        client_id: 'spa',
        redirect_uri: SPA_CB,
      }),
    );
    assert.equal(answer.status, 303);
    assert.match(answer.location!, /^https:\/\/spa\.example\/cb\?from=idp&error=unsupported_response_type&/);
  });

  it('sign-in page: security headers, labelled fields, CSRF token; a new session id at sign-in', async () => {
    const agent = new Agent();
    agent.cookies.set(SESSION, 'planted-by-an-attacker');
    const challenge = await pkce();
    const page = await agent.get(authorizeUrl(idp, portalRequest(challenge)));
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.match(page.text, /<label for="username">Username<\/label>/);
    assert.match(page.text, /autocomplete="current-password"/);
    assert.ok(hiddenField(page.text, 'csrf_token'));

    const signedIn = await submitSignIn(agent, idp, page, ALICE.username, ALICE.password);
    const first = agent.cookies.get(SESSION)!;
    assert.match(first, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(first, 'planted-by-an-attacker');
    assert.match(signedIn.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Lax/);
    assert.ok(redirectQuery(signedIn).get('code'));

    // prompt=login: signing in again makes another session id, and the previous one is gone.
    const again = await agent.get(authorizeUrl(idp, portalRequest(challenge, { prompt: 'login' })));
    assert.equal(again.status, 200);
    await submitSignIn(agent, idp, again, ALICE.username, ALICE.password);
    const second = agent.cookies.get(SESSION)!;
    assert.notEqual(second, first);
    const stale = new Agent();
    stale.cookies.set(SESSION, first);
    const answer = await stale.get(authorizeUrl(idp, portalRequest(challenge, { prompt: 'none' })));
    assert.equal(redirectQuery(answer).get('error'), 'login_required');
    // The live session signs in silently.
    assert.ok(
      redirectQuery(await agent.get(authorizeUrl(idp, portalRequest(challenge, { prompt: 'none' })))).get(
        'code',
      ),
    );
  });

  it('sign-in without a valid CSRF token or pre-session cookie is 403', async () => {
    const agent = new Agent();
    const page = await agent.get(authorizeUrl(idp, portalRequest(await pkce())));
    const form = {
      authorization_request: hiddenField(page.text, 'authorization_request') ?? '',
      username: ALICE.username,
      password: ALICE.password,
    };
    assert.equal((await agent.post(`${idp.url}/oauth2/signin`, form)).status, 403);
    assert.equal(
      (await agent.post(`${idp.url}/oauth2/signin`, { ...form, csrf_token: 'forged' })).status,
      403,
    );
    const noCookie = await new Agent().post(`${idp.url}/oauth2/signin`, {
      ...form,
      csrf_token: hiddenField(page.text, 'csrf_token') ?? '',
    });
    assert.equal(noCookie.status, 403);
    assert.equal(noCookie.headers.get('set-cookie'), null, 'no session was made');
    assert.equal((await agent.get(`${idp.url}/oauth2/signin`)).status, 405);
  });

  it('unknown user, wrong password and disabled user get the same answer', async () => {
    const agent = new Agent();
    const page = await agent.get(authorizeUrl(idp, portalRequest(await pkce())));
    const answers = [
      await submitSignIn(agent, idp, page, 'nobody-here', 'whatever'),
      await submitSignIn(agent, idp, page, BOB.username, 'wrong-password'),
      await submitSignIn(agent, idp, page, 'carol', 'carol-password'),
    ];
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.equal(alertText(answer.text), 'Invalid username or password.');
      assert.equal(answer.headers.get('set-cookie')?.includes(SESSION) ?? false, false);
    }
    assert.doesNotMatch(answers[1].text, /wrong-password/, 'the password is never echoed');
  });

  it('codes: exchanged once with the right verifier; a replay is invalid_grant and revokes the tokens', async () => {
    const agent = new Agent();
    const challenge = await pkce();
    const query = await portalCode(agent, challenge);
    assert.equal(query.get('state'), 'state-123');
    assert.equal(query.get('iss'), idp.issuer);
    const code = query.get('code')!;
    const form = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: PORTAL_CB,
      code_verifier: challenge.verifier,
    };

    const other = await pkce();
    for (const [change, authorization] of [
      [{ code_verifier: other.verifier }, PORTAL_AUTH],
      [{ code_verifier: '' }, PORTAL_AUTH],
      [{ redirect_uri: `${PORTAL_CB}/x` }, PORTAL_AUTH],
      [{ code: `${code.slice(0, -2)}AA` }, PORTAL_AUTH],
    ] as const) {
      const refused = await tokenRequest(idp, { ...form, ...change }, authorization);
      assert.equal(refused.status, 400, JSON.stringify(change));
      assert.equal(refused.body.error, 'invalid_grant');
    }
    // Another client (the public spa) cannot redeem it either.
    const stolen = await tokenRequest(idp, { ...form, client_id: 'spa' });
    assert.equal(stolen.body.error, 'invalid_grant');

    // None of that burnt the code: the right request succeeds.
    const granted = await tokenRequest(idp, form, PORTAL_AUTH);
    assert.equal(granted.status, 200);
    assert.ok(granted.body.access_token && granted.body.refresh_token && granted.body.id_token);
    assert.equal(granted.body.scope, 'openid profile');

    const replay = await tokenRequest(idp, form, PORTAL_AUTH);
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    for (const token of [granted.body.access_token, granted.body.refresh_token]) {
      const answer = await fetch(`${idp.url}/oauth2/introspect`, {
        method: 'POST',
        headers: { authorization: PORTAL_AUTH, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }),
      });
      assert.deepEqual(await answer.json(), { active: false }, 'revoked by the replay');
    }
  });

  it('Keycloak realm paths: the code carries the realm issuer and is redeemed only at that realm', async () => {
    const agent = new Agent();
    const challenge = await pkce();
    const realm = `${idp.url}/realms/default`;
    const page = await agent.get(
      `${realm}/protocol/openid-connect/auth?${new URLSearchParams(portalRequest(challenge))}`,
    );
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`action="${realm}/login-actions/authenticate"`));
    const signedIn = await agent.post(`${realm}/login-actions/authenticate`, {
      csrf_token: hiddenField(page.text, 'csrf_token') ?? '',
      authorization_request: hiddenField(page.text, 'authorization_request') ?? '',
      username: ALICE.username,
      password: ALICE.password,
    });
    const query = redirectQuery(signedIn);
    assert.equal(query.get('iss'), realm);
    const form = {
      grant_type: 'authorization_code',
      code: query.get('code')!,
      redirect_uri: PORTAL_CB,
      code_verifier: challenge.verifier,
    };
    assert.equal((await tokenRequest(idp, form, PORTAL_AUTH)).body.error, 'invalid_grant', 'other issuer');
    const response = await fetch(`${realm}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { authorization: PORTAL_AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    assert.equal(response.status, 200);
    const idToken = ((await response.json()) as { id_token: string }).id_token;
    assert.equal(JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString()).iss, realm);
  });

  it('the token endpoint needs the verifier for public clients, and public clients have no other grants', async () => {
    const refused = await tokenRequest(idp, {
      grant_type: 'authorization_code',
      client_id: 'spa',
      code: 'x',
      redirect_uri: SPA_CB,
    });
    assert.equal(refused.body.error, 'invalid_grant');
    const credentials = await tokenRequest(idp, { grant_type: 'client_credentials', client_id: 'spa' });
    assert.equal(credentials.status, 401);
    assert.equal(credentials.body.error, 'invalid_client');
  });

  it('consent: CSRF bound to the session, Deny → access_denied, prompt=none → consent_required', async () => {
    const agent = new Agent();
    await portalCode(agent, await pkce());
    const spa = { ...portalRequest(await pkce()), client_id: 'spa', redirect_uri: SPA_CB };
    const silent = await agent.get(authorizeUrl(idp, { ...spa, prompt: 'none' }));
    assert.equal(redirectQuery(silent).get('error'), 'consent_required');

    const consent = await agent.get(authorizeUrl(idp, spa));
    assert.equal(consent.status, 200);
    assert.match(consent.text, /Third-Party Planner/);
    const form = {
      csrf_token: hiddenField(consent.text, 'csrf_token') ?? '',
      authorization_request: hiddenField(consent.text, 'authorization_request') ?? '',
    };
    const forged = await agent.post(`${idp.url}/oauth2/consent`, {
      ...form,
      csrf_token: 'x',
      decision: 'allow',
    });
    assert.equal(forged.status, 403);
    const otherSession = new Agent();
    await portalCode(otherSession, await pkce());
    const crossSession = await otherSession.post(`${idp.url}/oauth2/consent`, { ...form, decision: 'allow' });
    assert.equal(crossSession.status, 403, "another session's token is refused");

    const denied = redirectQuery(
      await agent.post(`${idp.url}/oauth2/consent`, { ...form, decision: 'deny' }),
    );
    assert.equal(denied.get('error'), 'access_denied');
    assert.equal(denied.get('state'), 'state-123');
    assert.equal(denied.get('iss'), idp.issuer);
  });

  it('userinfo refuses missing, invalid and non-user tokens (RFC 6750 §3)', async () => {
    const none = await fetch(`${idp.url}/oauth2/userinfo`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer realm="/);
    const garbage = await fetch(`${idp.url}/oauth2/userinfo`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(garbage.status, 401);
    assert.match(garbage.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    const keycloak = await fetch(`${idp.url}/realms/default/protocol/openid-connect/userinfo`);
    assert.equal(keycloak.status, 401);
    assert.equal((await fetch(`${idp.url}/oauth2/userinfo`, { method: 'DELETE' })).status, 405);
  });

  it('logout: confirmation without a hint, CSRF on the POST, unregistered return URIs refused', async () => {
    const agent = new Agent();
    const challenge = await pkce();
    await portalCode(agent, challenge);
    const unregistered = await agent.get(
      `${idp.url}/oauth2/logout?client_id=portal&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`,
    );
    assert.equal(unregistered.status, 400);
    assert.equal(unregistered.location, null);
    const confirm = await agent.get(`${idp.url}/oauth2/logout`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /Sign out\?/);
    assert.equal((await agent.post(`${idp.url}/oauth2/logout`, { csrf_token: 'x' })).status, 403);
    // Still signed in after the refused POST.
    assert.ok(
      redirectQuery(await agent.get(authorizeUrl(idp, portalRequest(challenge, { prompt: 'none' })))).get(
        'code',
      ),
    );
    const done = await agent.post(`${idp.url}/oauth2/logout`, {
      csrf_token: hiddenField(confirm.text, 'csrf_token') ?? '',
    });
    assert.equal(done.status, 200);
    assert.match(done.text, /You are signed out/);
    const after = await agent.get(authorizeUrl(idp, portalRequest(challenge, { prompt: 'none' })));
    assert.equal(redirectQuery(after).get('error'), 'login_required');
  });
});

describe('browser sign-in: brute force', () => {
  let idp: Idp;
  before(async () => {
    idp = await startBrowserIdp({ portal: PORTAL_CB, spa: SPA_CB }, { browser: { signInFreeFailures: 2 } });
  });
  after(() => idp.close());

  it('after the free failures an account waits: 429 with Retry-After, even for the right password', async () => {
    const agent = new Agent();
    const page = await agent.get(authorizeUrl(idp, portalRequest(await pkce())));
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = await submitSignIn(agent, idp, page, BOB.username, `guess-${attempt}`);
      assert.equal(answer.status, 200, `attempt ${attempt}`);
      assert.equal(alertText(answer.text), 'Invalid username or password.');
    }
    const throttled = await submitSignIn(agent, idp, page, BOB.username, BOB.password);
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
    assert.match(alertText(throttled.text) ?? '', /Too many failed attempts/);
    // Another account from the same address is not held up by bob's failures.
    const alice = await submitSignIn(agent, idp, page, ALICE.username, ALICE.password);
    assert.equal(alice.status, 303);
  });
});
