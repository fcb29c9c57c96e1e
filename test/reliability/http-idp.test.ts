/**
 * @module test/reliability/http-idp.test
 * Hostile HTTP at the IdP's endpoints, property-based (fast-check) against a real `createIdp` on loopback:
 *
 * - any body under any content type, at any POST endpoint: 413 past the body limit, 400 for a non-form
 *   body, otherwise a well-formed OAuth answer (200 / 400 / 401), never a 5xx, never a stack trace;
 * - a parameter sent twice, however percent-encoded, is `invalid_request` (RFC 6749 §3.1); of two
 *   `Authorization` headers only the first counts (node keeps the first), never a mix of both;
 * - bodies and heads around `limits.maxBodyBytes` / `maxHeaderBytes`: 413 / 431 past them, declared or
 *   streamed (chunked);
 * - any `Authorization: Basic …` value: 400 or 401, never a token, never a 5xx;
 * - any path of tenant and endpoint segments, dot segments and escapes: only exact endpoint paths answer,
 *   and a discovery document always names the tenant its own path names (no traversal to another tenant);
 * - slowloris: a head or a body trickled slower than `limits.headersTimeout` / `requestTimeout` is cut,
 *   while other clients are served.
 *
 * Every body and log line of the run is scanned for the secrets and tokens in play at the end.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Pool } from 'undici';
import { parseForm } from '../../src/idp/endpoints/form-body.ts';
import { createIdp, type Idp } from '../../src/idp/server.ts';
import { basic, seedConfig } from '../idp/support/seed-idp.ts';
import { fuzz, readCorpus, runs } from './support/corpus.ts';
import { assertNoLeaks, SecretSet } from './support/leaks.ts';
import { captureLogs } from './support/log-capture.ts';
import { rawExchange, rawRequest } from './support/raw-http.ts';

const BODY_LIMIT = 2048;
const HEADER_LIMIT = 8 * 1024;
const CLIENT = { id: 'fuzz-client', secret: 'fuzz-client-secret-8c1f0e7d2b' };
const OTHER = { id: 'foo-client', secret: 'foo-client-secret-4a9b3c2d1e' };
const STATIC = 'static-introspection-token-2f6c9e1a7b';

const logs = captureLogs();
const bodies: string[] = [];
const secrets = new SecretSet()
  .addBasic('fuzz client', CLIENT.id, CLIENT.secret)
  .addBasic('foo.com client', OTHER.id, OTHER.secret)
  .add('static token', STATIC);
let idp: Idp;
let pool: Pool;
let issued: string;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request on the keep-alive pool; `headers` as a flat list allows duplicates. */
async function send(
  method: string,
  path: string,
  headers: string[] | Record<string, string> = {},
  body?: string | Buffer,
): Promise<Reply> {
  const answer = await pool.request({ method: method as 'POST', path, headers, body });
  const text = await answer.body.text();
  bodies.push(text);
  return { status: answer.statusCode, headers: answer.headers, text };
}

/** What every answer of the IdP is: below 500, JSON, and an error answer an OAuth error code and no stack. */
function assertWellFormed(reply: Reply, what: string): void {
  assert.ok(reply.status < 500, `${what}: ${reply.status} ${reply.text}`);
  assert.doesNotMatch(reply.text, /\n\s+at |node:internal|\.ts:\d+/, `${what}: no stack trace`);
  if (reply.status >= 400 && reply.text) {
    const body = JSON.parse(reply.text) as { error?: unknown };
    assert.match(String(body.error), /^[a-z_]+$/, `${what}: an OAuth error code, got ${reply.text}`);
  }
}

const ENDPOINTS = [
  '/oauth2/token',
  '/oauth2/introspect',
  '/oauth2/revoke',
  '/realms/default/protocol/openid-connect/token/introspect',
  '/idp/token',
  '/idp/introspect_token',
];
const FORM_TYPES = [
  'application/x-www-form-urlencoded',
  'Application/X-WWW-Form-Urlencoded; charset=UTF-8',
  'application/x-www-form-urlencoded;charset="utf-8"',
];
const OTHER_TYPES = [
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded; charset=iso-8859-1',
  'application/x-www-form-urlencodedx',
  '',
];
const isFormType = (type: string | undefined) => type !== undefined && FORM_TYPES.includes(type);

/**
 * Callers: mostly cheap ones; a wrong Basic secret at introspection also runs the (deliberately slow,
 * scrypt) WSO2 user check, so those come one time in ten.
 */
const authorizations = () =>
  fc.oneof(
    {
      weight: 9,
      arbitrary: fc.constantFrom(
        basic(CLIENT.id, CLIENT.secret),
        `Bearer ${STATIC}`,
        'Bearer not-a-known-token',
        'Digest username="x"',
        'Basic !!!',
        undefined,
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom(basic(CLIENT.id, 'wrong-secret'), basic('nobody', 'nothing')) },
  );

/** Form-like text: pairs of known and random names, random values, odd escapes, stray separators. */
const formText = () =>
  fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom('grant_type', 'token', 'scope', 'client_id', 'token_type_hint', 'client_secret'),
          fc.string({ maxLength: 12 }),
        ),
        fc.oneof(
          fc.constantFrom('client_credentials', 'refresh_token', 'password', '%zz', '%', '%C3%28', '+'),
          fc.string({ maxLength: 40 }),
        ),
        fc.constantFrom('=', '', '=='),
      ),
      { maxLength: 8 },
    )
    .map((pairs) => pairs.map(([name, value, equals]) => `${name}${equals}${value}`).join('&'));

before(async () => {
  idp = await createIdp(
    seedConfig({
      tenants: [{ id: 'foo.com' }, { id: 'bar' }],
      clients: [
        { ...CLIENT, scopes: ['read'], canIntrospect: true, grantTypes: ['client_credentials'] },
        { ...OTHER, tenant: 'foo.com', canIntrospect: true },
      ],
      users: [],
      introspection: { staticTokens: [{ token: STATIC, name: 'fuzz' }], rateLimit: { perCaller: 0 } },
      limits: {
        maxBodyBytes: BODY_LIMIT,
        maxHeaderBytes: HEADER_LIMIT,
        headersTimeout: '1s',
        requestTimeout: '2s',
      },
    }),
    { logger: logs.logger },
  );
  pool = new Pool(idp.url, { connections: 8 });
  const answer = await send(
    'POST',
    '/oauth2/token',
    { authorization: basic(CLIENT.id, CLIENT.secret), 'content-type': FORM_TYPES[0] },
    'grant_type=client_credentials&scope=read',
  );
  assert.equal(answer.status, 200, answer.text);
  issued = JSON.parse(answer.text).access_token;
  secrets.add('issued token', issued);
});

after(async () => {
  await pool.close();
  await idp.close();
});

describe('hostile HTTP at the IdP: the regression corpus', () => {
  it('answers every request that once failed with a well-formed client error', async () => {
    const corpus = readCorpus<{ path: string; headers: Record<string, string>; body: string }>('http-idp');
    assert.ok(corpus.length > 0);
    for (const { why, input } of corpus) {
      const reply = await send('POST', input.path, input.headers, input.body);
      assertWellFormed(reply, why);
      assert.ok(reply.status >= 400, `${why}: refused`);
    }
  });
});

describe('hostile HTTP at the IdP: bodies, content types, parameters', () => {
  it('any body under any content type: 413 past the limit, 400 if not a form, else a well-formed answer', async () => {
    const body = fc.oneof(
      formText(),
      fc.uint8Array({ maxLength: BODY_LIMIT * 2 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.nat({ max: BODY_LIMIT * 3 }).map((size) => `token=${'a'.repeat(size)}`),
    );
    const type = fc.option(
      fc.oneof(fc.constantFrom(...FORM_TYPES, ...OTHER_TYPES), fc.string({ maxLength: 30 })),
    );
    const cases = await fuzz(
      'http-idp.bodies',
      fc.asyncProperty(
        fc.constantFrom(...ENDPOINTS),
        authorizations(),
        type,
        body,
        async (path, auth, contentType, payload) => {
          const headers: Record<string, string> = {};
          if (auth) headers.authorization = auth;
          if (contentType !== null && /^[\t\x20-\x7e]*$/.test(contentType))
            headers['content-type'] = contentType;
          const size = Buffer.byteLength(payload);
          const reply = await send('POST', path, headers, payload);
          assertWellFormed(reply, `${path} ${size} bytes`);
          if (size > BODY_LIMIT) assert.equal(reply.status, 413);
          else if (size > 0 && !isFormType(headers['content-type'])) assert.equal(reply.status, 400);
          else assert.ok([200, 400, 401].includes(reply.status), `${reply.status} ${reply.text}`);
        },
      ),
      runs(0.3),
    );
    assert.ok(cases > 0);
  });

  it('a parameter sent twice, however percent-encoded, is invalid_request (RFC 6749 §3.1)', async () => {
    const names = fc.constantFrom('grant_type', 'scope', 'token', 'token_type_hint', 'client_id', 'x');
    /** Percent-encodes a random subset of the characters of `name`. */
    const encoded = (name: string, mask: number) =>
      [...name]
        .map((char, index) => ((mask >> index) & 1 ? `%${char.charCodeAt(0).toString(16)}` : char))
        .join('');
    await fuzz(
      'http-idp.duplicates',
      fc.asyncProperty(
        names,
        fc.nat({ max: 0xffff }),
        fc.string({ maxLength: 10 }),
        fc.string({ maxLength: 10 }),
        fc.constantFrom('/oauth2/token', '/oauth2/introspect', '/oauth2/revoke'),
        async (name, mask, first, second, path) => {
          const form = `${name}=${encodeURIComponent(first)}&grant_type_x=1&${encoded(name, mask)}=${encodeURIComponent(second)}`;
          const reply = await send(
            'POST',
            path,
            { authorization: basic(CLIENT.id, CLIENT.secret), 'content-type': FORM_TYPES[0] },
            form,
          );
          assertWellFormed(reply, form);
          assert.equal(reply.status, 400, form);
          assert.equal(JSON.parse(reply.text).error, 'invalid_request');
        },
      ),
      runs(0.25),
    );
  });

  it('of two Authorization headers only the first counts, never a mix of both', async () => {
    const auth = fc.constantFrom(
      basic(CLIENT.id, CLIENT.secret),
      basic(CLIENT.id, 'wrong-secret'),
      `Bearer ${STATIC}`,
      'Bearer unknown-token',
      'Basic !!!',
    );
    const body = `token=${issued}`;
    const alone = new Map<string, number>();
    await fuzz(
      'http-idp.two-authorizations',
      fc.asyncProperty(auth, auth, async (first, second) => {
        if (!alone.has(first)) {
          const single = await send(
            'POST',
            '/oauth2/introspect',
            { authorization: first, 'content-type': FORM_TYPES[0] },
            body,
          );
          alone.set(first, single.status);
        }
        const reply = await send(
          'POST',
          '/oauth2/introspect',
          ['authorization', first, 'authorization', second, 'content-type', FORM_TYPES[0]],
          body,
        );
        assertWellFormed(reply, `${first} + ${second}`);
        assert.equal(reply.status, alone.get(first));
      }),
      50,
    );
  });

  it('two different Content-Length headers, or one beside Transfer-Encoding, are refused (no smuggling)', async () => {
    const head = (lines: string[], body: string) =>
      rawRequest(
        'POST',
        '/oauth2/introspect',
        [`host: x`, `authorization: Bearer ${STATIC}`, ...lines],
        body,
      );
    const form = `content-type: ${FORM_TYPES[0]}`;
    for (const request of [
      head([form, 'content-length: 5', 'content-length: 6'], 'token'),
      head([form, 'content-length: 5', 'transfer-encoding: chunked'], '5\r\ntoken\r\n0\r\n\r\n'),
      head([form, 'transfer-encoding: chunked, identity'], '5\r\ntoken\r\n0\r\n\r\n'),
      head([form, 'content-length: -1'], ''),
    ]) {
      const reply = await rawExchange(idp.url, request);
      assert.equal(reply.status, 400, request);
      assert.ok(reply.closed, 'the connection is closed after a framing error');
    }
  });

  it('parseForm: any set of distinct non-empty parameters round-trips through the form encoding', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string({ minLength: 1 }), fc.string({ minLength: 1 })), {
          selector: ([name]) => name,
          maxLength: 10,
        }),
        (pairs) => {
          const wellFormed = pairs.filter(([name, value]) =>
            [name, value].every((text) => text.isWellFormed()),
          );
          const parsed = parseForm(new URLSearchParams(wellFormed).toString());
          assert.deepEqual([...parsed], wellFormed);
        },
      ),
      { numRuns: runs(2) },
    );
  });
});

describe('hostile HTTP at the IdP: limits', () => {
  it('bodies around the limit: 413 exactly past it, declared or streamed in chunks', async () => {
    await fuzz(
      'http-idp.body-sizes',
      fc.asyncProperty(
        fc.integer({ min: BODY_LIMIT - 64, max: BODY_LIMIT + 64 }),
        fc.boolean(),
        async (size, chunked) => {
          const text = `token=${'x'.repeat(size - 'token='.length)}`;
          const body = chunked
            ? (async function* () {
                yield text.slice(0, 100);
                yield text.slice(100);
              })()
            : text;
          const answer = await pool.request({
            method: 'POST',
            path: '/oauth2/introspect',
            headers: { authorization: `Bearer ${STATIC}`, 'content-type': FORM_TYPES[0] },
            body: body as string,
          });
          await answer.body.text();
          assert.equal(answer.statusCode, size > BODY_LIMIT ? 413 : 200, `${size} bytes, chunked ${chunked}`);
        },
      ),
      runs(0.1),
    );
  });

  it('heads past limits.maxHeaderBytes: 431, and the server goes on answering', async () => {
    // idp.limits.maxHeaderBytes, enforced by node's parser (the request line and other headers count too).
    await fuzz(
      'http-idp.head-sizes',
      fc.asyncProperty(fc.integer({ min: 500, max: HEADER_LIMIT * 3 }), fc.boolean(), async (size, many) => {
        const lines = many
          ? Array.from({ length: Math.ceil(size / 100) }, (_, index) => `x-h${index}: ${'v'.repeat(94)}`)
          : [`x-big: ${'v'.repeat(size)}`];
        const reply = await rawExchange(idp.url, rawRequest('GET', '/oauth2/jwks', ['host: x', ...lines]));
        const head = lines.join('\r\n').length;
        if (head > HEADER_LIMIT + 512) assert.equal(reply.status, 431, `${head} bytes of headers`);
        else if (head < HEADER_LIMIT - 512) assert.equal(reply.status, 200, `${head} bytes of headers`);
      }),
      runs(0.05),
    );
    assert.equal((await send('GET', '/oauth2/jwks')).status, 200);
  });

  it('a head trickled slower than headersTimeout is cut, while others are served', async () => {
    const pieces = [
      'GET /oauth2/jwks HTTP/1.1\r\n',
      'host: x\r\n',
      ...Array.from({ length: 40 }, (_, i) => `x-slow-${i}: 1\r\n`),
    ];
    const slow = rawExchange(idp.url, pieces, { intervalMs: 250, timeoutMs: 15_000 });
    assert.equal((await send('GET', '/oauth2/jwks')).status, 200, 'served meanwhile');
    const reply = await slow;
    assert.ok(reply.closed, 'the slow connection was closed by the server');
    assert.notEqual(reply.status, 200);
    assert.ok(
      reply.elapsedMs < 40 * 250,
      `cut before the head was complete (${Math.round(reply.elapsedMs)} ms)`,
    );
  });

  it('a body trickled slower than requestTimeout is cut', async () => {
    const head = rawRequest('POST', '/oauth2/introspect', [
      'host: x',
      `authorization: Bearer ${STATIC}`,
      `content-type: ${FORM_TYPES[0]}`,
      'content-length: 400',
    ]);
    const pieces = [head, ...Array.from({ length: 40 }, () => 'tokenn')];
    const reply = await rawExchange(idp.url, pieces, { intervalMs: 250, timeoutMs: 15_000 });
    assert.ok(reply.closed, 'the slow connection was closed by the server');
    assert.ok(reply.status === 0 || reply.status === 408, `no answer but a timeout: ${reply.head}`);
    assert.ok(
      reply.elapsedMs < 40 * 250,
      `cut before the body was complete (${Math.round(reply.elapsedMs)} ms)`,
    );
  });
});

describe('hostile HTTP at the IdP: credentials and paths', () => {
  it('any Basic header value: 400 or 401, never a token, never a 5xx', async () => {
    const value = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.base64String({ maxLength: 80 }),
      fc
        .tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }))
        .map(([id, secret]) => Buffer.from(`${id}:${secret}`).toString('base64')),
      fc
        .tuple(
          fc.constantFrom(CLIENT.id, `${CLIENT.id}%00`, 'fuzz%2Dclient', ''),
          fc.string({ maxLength: 30 }),
        )
        .map(([id, secret]) => Buffer.from(`${id}:${secret}`).toString('base64')),
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    );
    await fuzz(
      'http-idp.basic',
      fc.asyncProperty(
        fc.constantFrom('Basic', 'basic', 'BASIC', 'Basic  '),
        value,
        async (scheme, credentials) => {
          const authorization = `${scheme} ${credentials}`;
          if (!/^[\t\x20-\x7e]*$/.test(authorization)) return;
          const reply = await send(
            'POST',
            '/oauth2/token',
            { authorization, 'content-type': FORM_TYPES[0] },
            'grant_type=client_credentials&scope=read',
          );
          assertWellFormed(reply, authorization);
          assert.ok([400, 401].includes(reply.status), `${authorization}: ${reply.status}`);
          if (reply.status === 401) assert.match(String(reply.headers['www-authenticate']), /^Basic realm=/);
        },
      ),
      runs(0.5),
    );
  });

  it('any path of tenant and endpoint segments: only exact paths answer, and never for another tenant', async () => {
    const segment = fc.constantFrom(
      't',
      'realms',
      'default',
      'foo.com',
      'bar',
      'unknown',
      '..',
      '.',
      '%2e%2e',
      '%2E',
      '..%2f',
      '%2f',
      '',
      'oauth2',
      'token',
      'introspect',
      'jwks',
      'protocol',
      'openid-connect',
      'certs',
      '.well-known',
      'openid-configuration',
      'oauth-authorization-server',
      'FOO.COM',
      'foo.com%00',
      '%66oo.com',
    );
    const issuerOf = (tenant: string, profile: 'standard' | 'keycloak') =>
      profile === 'keycloak'
        ? `${idp.url}/realms/${tenant}`
        : tenant === 'default'
          ? idp.url
          : `${idp.url}/t/${tenant}`;
    await fuzz(
      'http-idp.paths',
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 7 }), async (segments) => {
        const path = `/${segments.join('/')}`;
        const reply = await send('GET', path);
        assertWellFormed(reply, path);
        if (reply.status !== 200) {
          assert.ok([400, 404, 405].includes(reply.status), `${path}: ${reply.status}`);
          return;
        }
        // Only plain segments route: no dot segment, no escape, no empty segment.
        assert.ok(
          !segments.some((part) => part === '' || part === '.' || part === '..' || part.includes('%')),
          path,
        );
        if (
          path.endsWith('/.well-known/openid-configuration') ||
          path.includes('/.well-known/oauth-authorization-server')
        ) {
          const issuer = JSON.parse(reply.text).issuer as string;
          const tenant = segments.find((part) => ['default', 'foo.com', 'bar'].includes(part)) ?? 'default';
          const expected = path.includes('realms')
            ? issuerOf(tenant, 'keycloak')
            : issuerOf(tenant, 'standard');
          assert.equal(issuer, expected, `${path} names another tenant`);
        }
      }),
      runs(0.5),
    );
  });

  it('a client of one tenant gets nothing through the paths of another tenant', async () => {
    await fuzz(
      'http-idp.tenants',
      fc.asyncProperty(
        fc.constantFrom(
          '/t/bar',
          '/realms/bar',
          '/t/default',
          '',
          '/realms/default',
          '/t/foo.com/..',
          '/t/bar/../foo.com',
        ),
        fc.constantFrom('/oauth2/token', '/protocol/openid-connect/token', '/oauth2/introspect'),
        async (prefix, endpoint) => {
          const reply = await send(
            'POST',
            `${prefix}${endpoint}`,
            { authorization: basic(OTHER.id, OTHER.secret), 'content-type': FORM_TYPES[0] },
            endpoint.includes('introspect') ? `token=${issued}` : 'grant_type=client_credentials',
          );
          assertWellFormed(reply, `${prefix}${endpoint}`);
          assert.ok([401, 404].includes(reply.status), `${prefix}${endpoint}: ${reply.status} ${reply.text}`);
        },
      ),
      50,
    );
  });

  it('none of it hurt the server, and no secret or token reached a log line or a body', async () => {
    const answer = await send(
      'POST',
      '/oauth2/introspect',
      { authorization: `Bearer ${STATIC}`, 'content-type': FORM_TYPES[0] },
      `token=${issued}`,
    );
    assert.equal(JSON.parse(answer.text).active, true);
    // Token answers carry the token they issue: every other body is scanned.
    const bodiesScanned = assertNoLeaks(
      bodies.filter((text) => !text.includes('"access_token"')),
      secrets,
      'response body',
    );
    const linesScanned = assertNoLeaks(logs.lines, secrets, 'log line');
    assert.ok(bodiesScanned > 100 && linesScanned > 100, `${bodiesScanned} bodies, ${linesScanned} lines`);
  });
});
