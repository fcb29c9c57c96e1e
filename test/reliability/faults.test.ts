/**
 * @module test/reliability/faults.test
 * The pipeline against a failing IdP. A real IdP sits behind a fault-injecting proxy (`support/fault-proxy`)
 * that makes it down, slow beyond the timeout, answer 500 / 429 / 503 / garbage / a 200 that is not JSON,
 * or reset the connection mid-body; TLS with a CA the client does not trust and a name that does not
 * resolve complete the list. Through a node:http service (`protect`) and through the gateway:
 *
 * - every fault fails closed: 503 with `Retry-After` and seed 000's body, the handler or upstream never
 *   reached, whatever the token (valid, revoked, unknown);
 * - a random sequence of faults and recoveries (model-based, fast-check) never allows a request while the
 *   IdP is failing, and answers exactly as a healthy IdP would as soon as it is back, without a restart;
 * - concurrent requests for one token during an outage make one IdP call at a time (single flight);
 * - `introspection.staleIfError` serves a cached answer through an outage only while the token's own exp
 *   has not passed, and never one the IdP has since called inactive;
 * - every fault leaves a clear warning (its reason, no stack), and no log line holds a token or secret.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Pool } from 'undici';
import { protect } from '../../src/adapters/node-http.ts';
import { createIdp, type Idp } from '../../src/idp/server.ts';
import { createTestPki, type TestPki } from '../../src/introspection/test-support/pki.ts';
import type { Authenticator } from '../../src/pipeline/authenticator.ts';
import { createAuthenticator } from '../../src/pipeline/create-authenticator.ts';
import {
  type RecordingUpstream,
  startGateway,
  startUpstream,
  type TestGateway,
} from '../gateway/support/harness.ts';
import { seedConfig } from '../idp/support/seed-idp.ts';
import { closeServer, listen } from '../support/loopback.ts';
import { fuzz, runs } from './support/corpus.ts';
import { type Fault, FaultProxy } from './support/fault-proxy.ts';
import { assertNoLeaks, SecretSet } from './support/leaks.ts';
import { captureLogs, type LogCapture } from './support/log-capture.ts';
import { introspectingAt, OAuthCalls } from './support/oauth-calls.ts';

const RS = { id: 'resource-server', secret: 'resource-server-secret-7d41c9' };
const APP = { id: 'app', secret: 'app-client-secret-0b8e5f27a3' };
const SHORT = { id: 'short-lived', secret: 'short-lived-secret-c6a2e91f' };
/** Short enough to keep the slow faults cheap, long enough that a healthy IdP on a busy machine answers. */
const TIMEOUT = { requestTimeout: '1s', retries: 0 };

/** Faults that fail fast (no waiting for a timeout), for the many-case properties. */
const QUICK_FAULTS: readonly (Fault | 'down')[] = [
  'down',
  { kind: 'status', status: 500 },
  { kind: 'status', status: 502, headers: { 'content-type': 'text/html' }, body: '<h1>Bad Gateway</h1>' },
  { kind: 'status', status: 503, headers: { 'retry-after': '3' } },
  { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
  { kind: 'status', status: 401, body: '{"error":"invalid_client"}' },
  { kind: 'status', status: 200, body: '{"active":"yes"}' },
  { kind: 'status', status: 200, body: '[true]' },
  { kind: 'non-json' },
  { kind: 'garbage' },
  { kind: 'reset' },
  { kind: 'reset-mid-body' },
];
/** The slow ones: beyond the timeout. */
const SLOW_FAULTS: readonly Fault[] = [{ kind: 'hang' }, { kind: 'delay', ms: 2_000 }];

const describeFault = (fault: Fault | 'down') =>
  fault === 'down'
    ? 'down'
    : fault.kind === 'status'
      ? `status ${fault.status} ${fault.body ?? ''}`
      : fault.kind;

const logs: LogCapture[] = [];
const secrets = new SecretSet()
  .addBasic('resource server', RS.id, RS.secret)
  .addBasic('app', APP.id, APP.secret)
  .addBasic('short-lived client', SHORT.id, SHORT.secret);
let proxy: FaultProxy;
let idp: Idp;
let calls: OAuthCalls;

function capture(): LogCapture {
  const capture = captureLogs();
  logs.push(capture);
  return capture;
}

function setFault(fault: Fault | 'down' | undefined): void {
  proxy.heal();
  if (fault === 'down') proxy.down();
  else proxy.fault = fault;
}

/** The auth section introspecting through the proxy as the resource server. */
function introspectionConfig(extra: Record<string, unknown> = {}) {
  return { errorDomain: 'Faults', httpClient: TIMEOUT, ...introspectingAt(proxy.url, RS, extra) };
}

async function token(client = APP): Promise<string> {
  const issued = await calls.issue(client);
  assert.equal(issued.status, 200, issued.text);
  secrets.add('issued token', issued.token!);
  return issued.token!;
}

/** A node:http service protected by `auth`, counting the requests its handler ran. */
async function service(auth: Authenticator, log: LogCapture) {
  let handled = 0;
  const server: Server = createServer(
    protect(
      auth,
      (_request, response) => {
        handled++;
        response.end('hello');
      },
      { logger: log.logger },
    ),
  );
  const url = await listen(server);
  const pool = new Pool(url, { connections: 128 });
  const errorBodies: string[] = [];
  return {
    get handled() {
      return handled;
    },
    errorBodies,
    async call(bearer: string) {
      const answer = await pool.request({
        method: 'GET',
        path: '/',
        headers: { authorization: `Bearer ${bearer}` },
      });
      const text = await answer.body.text();
      if (answer.statusCode !== 200) errorBodies.push(text);
      return {
        status: answer.statusCode,
        retryAfter: answer.headers['retry-after'] as string | undefined,
        text,
      };
    },
    async close() {
      await pool.close();
      await closeServer(server);
      await auth.close();
    },
  };
}

/** A 503 of the pipeline: Retry-After in whole seconds, seed 000's body with code serviceUnavailable. */
function assertFailedClosed(
  reply: { status: number; retryAfter?: string; text: string },
  what: string,
): void {
  assert.equal(reply.status, 503, `${what}: ${reply.status} ${reply.text}`);
  assert.match(reply.retryAfter ?? '', /^[1-9]\d*$/, `${what}: Retry-After`);
  const body = JSON.parse(reply.text) as { error: { domain: string; code: string } };
  assert.deepEqual([body.error.domain, body.error.code], ['Faults', 'serviceUnavailable'], what);
}

before(async () => {
  proxy = await FaultProxy.start();
  const idpLog = capture();
  idp = await createIdp(
    seedConfig({
      issuer: proxy.url,
      users: [],
      clients: [
        { ...RS, canIntrospect: true },
        { ...APP, scopes: ['read'] },
        { ...SHORT, accessTokenTtl: '3s' },
      ],
      introspection: { rateLimit: { perCaller: 0 } },
    }),
    { logger: idpLog.logger },
  );
  proxy.target = idp.url;
  calls = new OAuthCalls(idp.url);
});

after(async () => {
  await calls.close();
  await idp.close();
  await proxy.close();
});

describe('faults: a protected node:http service fails closed and recovers by itself', () => {
  let svc: Awaited<ReturnType<typeof service>>;
  let valid: string;
  let revoked: string;
  const log = capture();

  before(async () => {
    svc = await service(
      createAuthenticator({
        config: introspectionConfig({ claimsCache: { enabled: false } }),
        logger: log.logger,
      }),
      log,
    );
    valid = await token();
    revoked = await token();
    assert.equal(await calls.revoke(APP, revoked), 200);
  });
  after(() => svc.close());

  it('every fault: 503 + Retry-After for valid, revoked and unknown tokens; the handler never runs', async (t) => {
    for (const fault of [...QUICK_FAULTS, ...SLOW_FAULTS]) {
      setFault(fault);
      const handled = svc.handled;
      // Each slow fault costs a timeout per call: the three tokens at once.
      const replies = await Promise.all(
        [valid, revoked, 'unknown-but-well-formed-token'].map((bearer) => svc.call(bearer)),
      );
      for (const reply of replies) assertFailedClosed(reply, describeFault(fault));
      assert.equal(svc.handled, handled, `${describeFault(fault)}: the handler never ran`);
      setFault(undefined);
      assert.equal((await svc.call(valid)).status, 200, `${describeFault(fault)}: recovered`);
      assert.equal((await svc.call(revoked)).status, 401);
    }
    t.diagnostic(`${proxy.faults} faults injected so far`);
  });

  it('model-based: any sequence of faults and recoveries never allows during a fault, answers right after', async () => {
    const step = fc.oneof(fc.constantFrom(...QUICK_FAULTS), fc.constant(undefined));
    const cases = await fuzz(
      'faults.sequences',
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        for (const fault of steps) {
          setFault(fault);
          for (const [bearer, healthy] of [
            [valid, 200],
            [revoked, 401],
            ['never-issued-token', 401],
          ] as const) {
            const reply = await svc.call(bearer);
            if (fault === undefined) assert.equal(reply.status, healthy, `healthy, ${reply.text}`);
            else assertFailedClosed(reply, describeFault(fault));
          }
        }
        setFault(undefined);
      }),
      runs(0.02),
    );
    assert.ok(cases > 0);
  });

  it('concurrent requests for one token during an outage make one IdP call at a time, and all fail closed', async () => {
    setFault({ kind: 'hang' });
    const before = proxy.injected.get('hang') ?? 0;
    const replies = await Promise.all(Array.from({ length: 100 }, () => svc.call(valid)));
    for (const reply of replies) assertFailedClosed(reply, 'hang x100');
    const calls = (proxy.injected.get('hang') ?? 0) - before;
    assert.ok(calls <= 2, `${calls} calls reached the hanging IdP for 100 requests (single flight)`);
    setFault(undefined);
    const healed = await Promise.all(Array.from({ length: 100 }, () => svc.call(valid)));
    assert.ok(healed.every((reply) => reply.status === 200));
  });

  it('logs each failure clearly: a warning with its reason, no stack trace', () => {
    const warnings = log.find("token's introspection failed");
    const reasons = new Set(warnings.map((line) => line.error_reason));
    for (const reason of [
      'idp_unreachable',
      'idp_timeout',
      'idp_unavailable',
      'idp_throttled',
      'idp_bad_response',
    ]) {
      assert.ok(reasons.has(reason), `a warning with reason ${reason} (got ${[...reasons].join(', ')})`);
    }
    for (const line of log.lines)
      assert.doesNotMatch(line, /\\n\s+at /, 'no stack trace for an expected fault');
    assertNoLeaks(svc.errorBodies, secrets, 'error body');
  });
});

describe('faults: TLS and DNS', () => {
  let good: TestPki;
  let other: TestPki;
  let tlsProxy: FaultProxy;
  const log = capture();

  before(async () => {
    good = createTestPki('unused-client');
    other = createTestPki('unused-client');
    tlsProxy = await FaultProxy.start(idp.url, {
      tls: { cert: readFileSync(good.serverCert), key: readFileSync(good.serverKey) },
    });
  });
  after(async () => {
    await tlsProxy.close();
    good.remove();
    other.remove();
  });

  const viaTls = (caCert: string) =>
    createAuthenticator({
      config: {
        ...introspectionConfig(),
        ...introspectingAt(tlsProxy.url, RS, {
          claimsCache: { enabled: false },
          tls: caCert ? { caCert } : {},
        }),
      },
      logger: log.logger,
    });

  it('a server certificate of a CA the client does not trust (or no CA at all) fails closed; the right CA works', async () => {
    const valid = await token();
    for (const [ca, expected] of [
      [other.caCert, 503],
      ['', 503],
      [good.caCert, 200],
    ] as const) {
      const svc = await service(viaTls(ca), log);
      const reply = await svc.call(valid);
      assert.equal(reply.status, expected, `CA ${ca || 'system'}: ${reply.text}`);
      if (expected === 503) assertFailedClosed(reply, 'TLS');
      await svc.close();
    }
    const reasons = log.find("token's introspection failed").map((line) => String(line.detail));
    assert.ok(
      reasons.some((detail) => /certificate|CERT|self.signed|UNABLE/i.test(detail)),
      reasons.join('\n'),
    );
  });

  it('an IdP name that does not resolve fails closed with 503 + Retry-After', async () => {
    const svc = await service(
      createAuthenticator({
        config: { ...introspectionConfig(), ...introspectingAt('http://idp.invalid', RS) },
        logger: log.logger,
      }),
      log,
    );
    assertFailedClosed(await svc.call(await token()), 'DNS');
    await svc.close();
    assert.ok(
      log
        .find("token's introspection failed")
        .some((line) => /ENOTFOUND|EAI_AGAIN/.test(String(line.detail))),
    );
  });
});

describe('faults: stale-if-error serves only answers still within their token exp', () => {
  let auth: Authenticator;
  let offset = 0;
  const log = capture();
  const check = async (bearer: string) => {
    try {
      await auth.check({ headers: { authorization: `Bearer ${bearer}` } });
      return 200;
    } catch (error) {
      return auth.toError(error).httpStatus;
    }
  };

  before(() => {
    auth = createAuthenticator({
      config: introspectionConfig({ claimsCache: { ttl: '10s' }, staleIfError: '10m' }),
      logger: log.logger,
      now: () => Date.now() + offset,
    });
  });
  after(() => auth.close());

  it('serves the stale answer of a live token, never one past exp, never one the IdP called inactive', async () => {
    setFault(undefined);
    const long = await token();
    const short = await token(SHORT);
    const revoked = await token();
    for (const bearer of [long, short, revoked]) assert.equal(await check(bearer), 200);
    assert.equal(await calls.revoke(APP, revoked), 200);

    offset = 20_000; // past the 10 s freshness of each answer, past the 3 s lifetime of `short`
    assert.equal(await check(revoked), 401, 'the IdP is asked again once the answer is stale: inactive now');

    for (const fault of [...QUICK_FAULTS, { kind: 'hang' } as const]) {
      setFault(fault);
      const [fromCache, pastExp, inactive, unknown] = await Promise.all(
        [long, short, revoked, 'never-issued-token-2'].map((bearer) => check(bearer)),
      );
      assert.equal(fromCache, 200, `${describeFault(fault)}: the stale answer of a live token`);
      assert.equal(pastExp, 503, `${describeFault(fault)}: not past the token's exp`);
      assert.equal(inactive, 503, `${describeFault(fault)}: never after an inactive answer`);
      assert.equal(unknown, 503);
      // The stale answer stays fresh for the IdP's Retry-After: the next fault must ask the IdP again.
      offset += (10 * 60_000) / 2 / QUICK_FAULTS.length;
    }
    offset = 2 * 3600_000; // past `long`'s own exp
    setFault('down');
    assert.notEqual(await check(long), 200, 'not past exp, even within the stale window');
    setFault(undefined);
    assert.ok(log.find('serving stale introspection answer').length > 0, 'each stale answer is logged');
  });
});

describe('faults: the gateway fails closed and recovers by itself', () => {
  let upstream: RecordingUpstream;
  let gw: TestGateway;
  const log = capture();

  before(async () => {
    upstream = await startUpstream();
    gw = await startGateway(
      {
        errorDomain: 'Faults',
        authenticators: { idp: introspectionConfig() },
        routes: [{ match: { pathPrefix: '/' }, upstream: { urls: [upstream.url] } }],
      },
      { logger: log.logger },
    );
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it('503 + Retry-After while the IdP fails, nothing upstream; 200 once it is back', async () => {
    const pool = new Pool(gw.url, { connections: 8 });
    const get = async (bearer: string) => {
      const answer = await pool.request({
        method: 'GET',
        path: '/x',
        headers: { authorization: `Bearer ${bearer}` },
      });
      return {
        status: answer.statusCode,
        retryAfter: answer.headers['retry-after'] as string,
        text: await answer.body.text(),
      };
    };
    for (const fault of [...QUICK_FAULTS, ...SLOW_FAULTS]) {
      const fresh = await token();
      setFault(fault);
      const seen = upstream.requests.length;
      assertFailedClosed(await get(fresh), `gateway, ${describeFault(fault)}`);
      assert.equal(upstream.requests.length, seen, 'nothing reached the upstream');
      setFault(undefined);
      assert.equal((await get(fresh)).status, 200, `gateway recovered after ${describeFault(fault)}`);
    }
    await pool.close();
  });
});

describe('faults: afterwards', () => {
  it('no log line of the IdP, the services or the gateway holds a token or secret', (t) => {
    let lines = 0;
    for (const capture of logs) lines += assertNoLeaks(capture.lines, secrets, 'log line');
    t.diagnostic(`${proxy.faults} faults injected by the proxy, ${lines} log lines scanned`);
    assert.ok(lines > 100);
  });
});
