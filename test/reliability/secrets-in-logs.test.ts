/**
 * @module test/reliability/secrets-in-logs.test
 * No token, secret, password or private key in any log line or error body. Every component runs with a
 * logger at `debug` whose lines the test keeps, through whole scenarios:
 *
 * - token issuance with client_secret_basic, client_secret_post, private_key_jwt (a key made for the run),
 *   the password grant and refresh tokens; wrong secrets, wrong passwords, unknown clients, replays;
 * - introspection good and bad (static token, WSO2 user with its password, bad callers, revoked tokens);
 *   revocation; the library introspecting with private_key_jwt;
 * - configuration errors whose input holds secrets (a database password, a misplaced private key body);
 * - the gateway with tokens in the header, the query (default and custom parameter names) and a cookie,
 *   valid, revoked and forged, and with the IdP down.
 *
 * Then every line and every error body is searched for each secret in every form it could take (raw,
 * URL-encoded, the Basic credential string, PEM body lines, the JWK's private members) and for anything
 * shaped like a JWT.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { exportJWK, SignJWT } from 'jose';
import { Pool } from 'undici';
import { parseAuthConfig } from '../../src/config/load.ts';
import { isTokenguardError } from '../../src/errors/tokenguard-error.ts';
import type { GatewayConfigInput } from '../../src/gateway/config/schema.ts';
import { parseIdpConfig } from '../../src/idp/config/load.ts';
import { createIdp, type Idp } from '../../src/idp/server.ts';
import { createAuthenticator } from '../../src/pipeline/create-authenticator.ts';
import {
  type RecordingUpstream,
  startGateway,
  startUpstream,
  type TestGateway,
} from '../gateway/support/harness.ts';
import { basic } from '../idp/support/seed-idp.ts';
import { readCorpus } from './support/corpus.ts';
import { assertNoLeaks, SecretSet } from './support/leaks.ts';
import { captureLogs } from './support/log-capture.ts';
import { introspectingAt } from './support/oauth-calls.ts';

const BASIC_CLIENT = { id: 'basic-client', secret: 'basic-client-secret-6f0e2a9c41' };
const POST_CLIENT = { id: 'post-client', secret: 'post-client-secret-2b7d9e05f3' };
const JWT_CLIENT = { id: 'jwt-client' };
const REFRESH_CLIENT = { id: 'refresh-client', secret: 'refresh-client-secret-c3a18f72' };
const RS = { id: 'resource-server', secret: 'resource-server-secret-94e1b6' };
const USER = { name: 'wso2-user', password: 'wso2-user-password-Zq8!x' };
const OWNER = { name: 'owner', password: 'owner-password-Kd2#pw9' };
const STATIC = 'static-introspection-token-61f0d3b2';
const DB_PASSWORD = 'database-password-Hx3$77aa';
const WRONG = ['wrong-secret-guess-00001', 'wrong-password-guess-0002'];

type RouteInput = NonNullable<GatewayConfigInput['routes']>[number];
type TokenSources = Exclude<NonNullable<RouteInput['auth']>, 'public'>['tokenSources'];

const logs = captureLogs('debug');
const errorBodies: string[] = [];
const secrets = new SecretSet()
  .addBasic('basic client', BASIC_CLIENT.id, BASIC_CLIENT.secret)
  .addBasic('post client', POST_CLIENT.id, POST_CLIENT.secret)
  .addBasic('refresh client', REFRESH_CLIENT.id, REFRESH_CLIENT.secret)
  .addBasic('resource server', RS.id, RS.secret)
  .addBasic('WSO2 user', USER.name, USER.password)
  .addBasic('resource owner', OWNER.name, OWNER.password)
  .add('static token', STATIC)
  .add('database password', DB_PASSWORD)
  .add('wrong secret', WRONG[0])
  .add('wrong password', WRONG[1]);

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
secrets.addPem('client private key', privatePem);

let idp: Idp;
let pool: Pool;
let privateJwk: Record<string, unknown>;

/** POSTs a form to the IdP; keeps the body when it is an error. */
async function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const answer = await pool.request({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await answer.body.text();
  if (answer.statusCode >= 400) errorBodies.push(text);
  return { status: answer.statusCode, text, json: () => JSON.parse(text) as Record<string, string> };
}

function issued(answer: { status: number; text: string; json(): Record<string, string> }): string {
  assert.equal(answer.status, 200, answer.text);
  const body = answer.json();
  secrets.add('access token', body.access_token);
  if (body.refresh_token) secrets.add('refresh token', body.refresh_token);
  return body.access_token;
}

async function assertion(audience: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: 'jwt-client-key' })
    .setIssuer(JWT_CLIENT.id)
    .setSubject(JWT_CLIENT.id)
    .setAudience(audience)
    .setJti(crypto.randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(privateKey);
  secrets.add('client assertion', jwt);
  return jwt;
}

before(async () => {
  privateJwk = { ...(await exportJWK(privateKey)), kid: 'jwt-client-key', alg: 'RS256' };
  secrets.addJwk('client private key', privateJwk);
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'jwt-client-key', alg: 'RS256', use: 'sig' };
  idp = await createIdp(
    {
      port: 0,
      store: 'memory',
      legacy: { passwordGrant: true },
      tenants: [{ id: 'other' }],
      clients: [
        { ...BASIC_CLIENT, scopes: ['read'] },
        { ...POST_CLIENT, authMethods: ['client_secret_post'], tokenFormat: 'opaque' },
        { ...JWT_CLIENT, jwks: { keys: [publicJwk] }, authMethods: ['private_key_jwt'], canIntrospect: true },
        { ...REFRESH_CLIENT, grantTypes: ['password', 'refresh_token'] },
        { ...RS, canIntrospect: true },
      ],
      users: [
        { username: USER.name, password: USER.password, canIntrospect: true },
        { username: OWNER.name, password: OWNER.password },
      ],
      introspection: { staticTokens: [{ token: STATIC, name: 'static' }] },
    },
    { logger: logs.logger.child({ component: 'idp' }) },
  );
  pool = new Pool(idp.url, { connections: 4 });
});

after(async () => {
  await pool.close();
  await idp.close();
});

describe('secrets in logs: the IdP', () => {
  const tokens: string[] = [];

  it('token issuance by every method, and every way it can fail', async () => {
    const token = `${idp.url}/oauth2/token`;
    tokens.push(
      issued(
        await post(
          '/oauth2/token',
          { grant_type: 'client_credentials' },
          { authorization: basic(BASIC_CLIENT.id, BASIC_CLIENT.secret) },
        ),
      ),
    );
    tokens.push(
      issued(
        await post('/oauth2/token', {
          grant_type: 'client_credentials',
          client_id: POST_CLIENT.id,
          client_secret: POST_CLIENT.secret,
        }),
      ),
    );
    tokens.push(
      issued(
        await post('/oauth2/token', {
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: await assertion(token),
        }),
      ),
    );
    const owner = await post(
      '/oauth2/token',
      { grant_type: 'password', username: OWNER.name, password: OWNER.password },
      { authorization: basic(REFRESH_CLIENT.id, REFRESH_CLIENT.secret) },
    );
    tokens.push(issued(owner));
    const refresh = owner.json().refresh_token;
    const refreshed = await post(
      '/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: refresh },
      { authorization: basic(REFRESH_CLIENT.id, REFRESH_CLIENT.secret) },
    );
    tokens.push(issued(refreshed));
    // Failures: each must be refused without echoing what was sent.
    const failures = [
      post(
        '/oauth2/token',
        { grant_type: 'client_credentials' },
        { authorization: basic(BASIC_CLIENT.id, WRONG[0]) },
      ),
      post('/oauth2/token', {
        grant_type: 'client_credentials',
        client_id: POST_CLIENT.id,
        client_secret: WRONG[0],
      }),
      post(
        '/oauth2/token',
        { grant_type: 'client_credentials' },
        { authorization: basic('no-such-client', WRONG[0]) },
      ),
      post(
        '/oauth2/token',
        { grant_type: 'password', username: OWNER.name, password: WRONG[1] },
        { authorization: basic(REFRESH_CLIENT.id, REFRESH_CLIENT.secret) },
      ),
      post(
        '/oauth2/token',
        { grant_type: 'refresh_token', refresh_token: refresh },
        { authorization: basic(REFRESH_CLIENT.id, REFRESH_CLIENT.secret) },
      ),
      post('/oauth2/token', {
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion('https://elsewhere.example/token'),
      }),
      post('/oauth2/token', { grant_type: 'client_credentials', client_secret: WRONG[0] }),
      post(
        '/t/other/oauth2/token',
        { grant_type: 'client_credentials' },
        { authorization: basic(BASIC_CLIENT.id, BASIC_CLIENT.secret) },
      ),
    ];
    for (const answer of await Promise.all(failures)) assert.ok(answer.status >= 400, answer.text);
  });

  it('introspection and revocation, good and bad callers, live and revoked tokens', async () => {
    const callers = [
      { authorization: `Bearer ${STATIC}` },
      { authorization: basic(USER.name, USER.password) },
      { authorization: basic(USER.name, WRONG[1]) },
      { authorization: basic(RS.id, RS.secret) },
      { authorization: basic(RS.id, WRONG[0]) },
      { authorization: `Bearer ${tokens[0]}` },
      { authorization: 'Bearer not-a-real-token' },
    ];
    for (const headers of callers) {
      for (const token of [tokens[1], 'never-issued-token-value', `${tokens[2]}x`]) {
        await post('/oauth2/introspect', { token }, headers);
        await post(
          '/oauth2/introspect',
          { token },
          { ...headers, accept: 'application/token-introspection+jwt' },
        );
      }
    }
    assert.equal(
      (
        await post(
          '/oauth2/revoke',
          { token: tokens[0] },
          { authorization: basic(BASIC_CLIENT.id, BASIC_CLIENT.secret) },
        )
      ).status,
      200,
    );
    await post('/oauth2/revoke', { token: tokens[1] }, { authorization: basic(BASIC_CLIENT.id, WRONG[0]) });
    const after = await post(
      '/oauth2/introspect',
      { token: tokens[0] },
      { authorization: `Bearer ${STATIC}` },
    );
    assert.equal(after.json().active, false);
  });

  it('the library introspecting with private_key_jwt, at debug level', async () => {
    const auth = createAuthenticator({
      config: {
        jwt: { enabled: false },
        introspection: {
          endpoint: `${idp.url}/oauth2/introspect`,
          clientAuth: {
            method: 'private_key_jwt',
            clientId: JWT_CLIENT.id,
            privateKey: JSON.stringify(privateJwk),
          },
        },
      },
      logger: logs.logger.child({ component: 'library' }),
    });
    const outcomes: string[] = [];
    for (const token of [tokens[1], tokens[0], 'never-issued-token-value']) {
      try {
        await auth.check({ headers: { authorization: `Bearer ${token}` } });
        outcomes.push('ok');
      } catch (error) {
        const failure = auth.toError(error);
        errorBodies.push(failure.toBody('Service', {}), failure.message, String(failure.detail ?? ''));
        outcomes.push(failure.code);
      }
    }
    await auth.close();
    assert.deepEqual(outcomes, ['ok', 'authenticationFailed', 'authenticationFailed']);
  });

  it('configuration errors whose input holds secrets never repeat them', () => {
    const pemBody = privatePem
      .split('\n')
      .filter((line) => line && !line.startsWith('-----'))
      .join('');
    const attempts: (() => unknown)[] = [
      () =>
        parseIdpConfig({ store: `postgres://admin:${DB_PASSWORD}@db.example:5432/idp?schema=Bad-Schema` }),
      () => parseIdpConfig({ store: `postgres://admin:${DB_PASSWORD}@db.example:5432/idp?max=lots` }),
      () => parseIdpConfig({ store: `mysql://admin:${DB_PASSWORD}@db.example/idp` }),
      () => parseIdpConfig({ clients: [{ id: 'x', secret: BASIC_CLIENT.secret, grantTypes: ['implicit'] }] }),
      () => parseIdpConfig({ users: [{ username: 'bad name', password: USER.password }] }),
      () =>
        parseIdpConfig({ introspection: { staticTokens: [{ token: STATIC, tenant: 'missing-tenant' }] } }),
      () => parseAuthConfig({ introspection: { clientAuth: { method: 'bogus', clientSecret: RS.secret } } }),
      () =>
        createAuthenticator({
          config: {
            introspection: {
              endpoint: 'http://127.0.0.1:1/i',
              clientAuth: { method: 'private_key_jwt', clientId: 'x', privateKey: pemBody },
            },
          },
        }),
      () =>
        createAuthenticator({
          config: {
            introspection: {
              endpoint: 'http://127.0.0.1:1/i',
              clientAuth: {
                method: 'private_key_jwt',
                clientId: 'x',
                privateKey: privatePem.replace('MII', 'XII'),
              },
            },
          },
        }),
      () =>
        createAuthenticator({
          config: {
            introspection: {
              endpoint: 'http://127.0.0.1:1/i',
              clientAuth: { method: 'client_secret_jwt', clientId: 'x', clientSecret: 'short-secret-value' },
            },
          },
        }),
    ];
    secrets.add('short jwt secret', 'short-secret-value');
    for (const attempt of attempts) {
      let caught: unknown;
      try {
        attempt();
      } catch (error) {
        caught = error;
      }
      assert.ok(isTokenguardError(caught), `refused: ${String(caught)}`);
      errorBodies.push(caught.message, String(caught.detail ?? ''), JSON.stringify(caught));
      logs.logger.error({ error_code: caught.code, error_detail: caught.detail }, caught.message);
    }
  });
});

describe('secrets in logs: the gateway', () => {
  let upstream: RecordingUpstream;
  let gw: TestGateway;
  let gwPool: Pool;

  before(async () => {
    upstream = await startUpstream();
    const auth = { errorDomain: 'Secrets', ...introspectingAt(idp.url, RS) };
    const route = (name: string, tokenSources: TokenSources, credential: 'strip' | 'keep' = 'strip') => ({
      name,
      match: { pathPrefix: `/${name}` },
      upstream: { urls: [upstream.url] },
      auth: { authenticator: 'idp', tokenSources },
      forward: { credential, headers: { 'X-User': 'sub' } },
    });
    gw = await startGateway(
      {
        errorDomain: 'Secrets',
        logLevel: 'debug',
        authenticators: {
          idp: auth,
          down: { ...auth, introspection: { ...auth.introspection, endpoint: 'http://127.0.0.1:1/i' } },
        },
        routes: [
          route('header', {}),
          route('query', { header: { enabled: false }, query: { enabled: true } }),
          route(
            'custom-query',
            { header: { enabled: false }, query: { enabled: true, name: 'jwt' } },
            'keep',
          ),
          route('cookie', { header: { enabled: false }, cookie: { enabled: true, name: 'session_token' } }),
          { ...route('down', {}), auth: { authenticator: 'down' } },
        ],
      },
      { logger: logs.logger.child({ component: 'gateway' }) },
    );
    gwPool = new Pool(gw.url, { connections: 4 });
  });
  after(async () => {
    await gwPool?.close();
    await gw?.close();
    await upstream?.close();
  });

  it('tokens in the header, the query (default and custom names) and a cookie: valid, revoked, forged', async () => {
    const valid = issued(
      await post(
        '/oauth2/token',
        { grant_type: 'client_credentials' },
        { authorization: basic(BASIC_CLIENT.id, BASIC_CLIENT.secret) },
      ),
    );
    const revoked = issued(
      await post(
        '/oauth2/token',
        { grant_type: 'client_credentials' },
        { authorization: basic(BASIC_CLIENT.id, BASIC_CLIENT.secret) },
      ),
    );
    await post(
      '/oauth2/revoke',
      { token: revoked },
      { authorization: basic(BASIC_CLIENT.id, BASIC_CLIENT.secret) },
    );
    const forged = `${valid.slice(0, -4)}AAAA`;
    secrets.add('forged token', forged);
    const statuses: number[] = [];
    for (const token of [valid, revoked, forged]) {
      const requests = [
        { path: '/header/x', headers: { authorization: `Bearer ${token}` } },
        { path: `/query/x?access_token=${token}&page=2`, headers: {} },
        { path: `/query/x?access%5Ftoken=${token}`, headers: {} },
        { path: `/custom-query/x?jwt=${token}`, headers: {} },
        { path: '/cookie/x', headers: { cookie: `theme=dark; session_token=${token}` } },
        { path: '/down/x', headers: { authorization: `Bearer ${token}` } },
      ];
      for (const { path, headers } of requests) {
        const answer = await gwPool.request({ method: 'GET', path, headers });
        const text = await answer.body.text();
        if (answer.statusCode >= 400) errorBodies.push(text);
        statuses.push(answer.statusCode);
      }
    }
    assert.ok(statuses.includes(200) && statuses.includes(401) && statuses.includes(503), statuses.join());
  });
});

describe('secrets in logs: the gateway under custom names and inline keys', () => {
  const corpus = readCorpus<{ queryName?: string; signingKey?: 'inline-pem' }>('secrets');

  it('an opaque token in a query parameter of a custom name stays out of the access log', async () => {
    const own = captureLogs('info');
    const upstream = await startUpstream();
    const names = corpus.flatMap(({ input }) => (input.queryName ? [input.queryName] : []));
    const gw = await startGateway(
      {
        authenticators: {
          idp: introspectingAt(idp.url, RS),
        },
        routes: names.map((name) => ({
          name,
          match: { pathPrefix: `/${name}` },
          upstream: { urls: [upstream.url] },
          auth: { tokenSources: { header: { enabled: false }, query: { enabled: true, name } } },
        })),
      },
      { logger: own.logger },
    );
    try {
      const opaque = issued(
        await post('/oauth2/token', {
          grant_type: 'client_credentials',
          client_id: POST_CLIENT.id,
          client_secret: POST_CLIENT.secret,
        }),
      );
      for (const name of names) {
        await (await fetch(`${gw.url}/${name}/x?${name}=${opaque}`)).text();
        await (await fetch(`${gw.url}/${name}/x?${name}=${opaque}x`)).text();
      }
      assertNoLeaks(own.lines, secrets, 'gateway access log');
    } finally {
      await gw.close();
      await upstream.close();
    }
  });

  it('a private key written inline where the signing-key file name belongs is not repeated in the error', async () => {
    const { loadGatewaySigningKey } = await import('../../src/gateway/forward/signing-key.ts');
    for (const { why, input } of corpus) {
      if (input.signingKey !== 'inline-pem') continue;
      const error = await loadGatewaySigningKey(privatePem).then(
        () => assert.fail('an inline PEM is not a file name'),
        (caught: unknown) => caught,
      );
      assert.ok(isTokenguardError(error));
      assertNoLeaks([error.message, String(error.detail ?? '')], secrets, why);
    }
  });
});

describe('secrets in logs: the scan', () => {
  it('finds no secret, token, password, private key or JWT in any log line or error body', (t) => {
    assert.ok(secrets.size > 30, `${secrets.size} secrets looked for`);
    const lines = assertNoLeaks(logs.lines, secrets, 'log line');
    const bodies = assertNoLeaks(errorBodies, secrets, 'error body');
    t.diagnostic(`${secrets.size} secret forms looked for in ${lines} log lines and ${bodies} error bodies`);
    assert.ok(lines > 50 && bodies > 50);
  });
});
