/**
 * @module test/examples/seed-000.test
 * End to end: seed 000's walkthrough against the example processes, started as `npm start` starts them
 * (`examples/start.ts`'s `startExample`: `node examples/idp-test-server/main.ts`, `node
 * examples/token-introspection/main.ts`), on free ports (`--port 0`, the issuer given to the service by
 * `MY_SERVICE_AUTH_JWT_TRUSTEDISSUERURLS`). The transcript is replayed with fetch, bodies and status codes
 * compared byte for byte, the service's JSON log lines checked for seed 000's fields; then again with the
 * service introspecting over gRPC (`--config config.grpc.yaml` against `grpc-server/main.ts`), in plain
 * text and over TLS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { type RunningExample, startExample } from '../../examples/start.ts';
import { createTestPki, type TestPki } from '../../src/introspection/test-support/pki.ts';

const STATIC_TOKEN = 'access-token-with-introspection-permission';
const MISSING =
  '{"error":{"domain":"MyService","code":"bearerTokenMissing","message":"Authorization bearer token is missing."}}';
const FORBIDDEN =
  '{"error":{"domain":"MyService","code":"authorizationFailed","message":"Authorization is failed."}}';

type LogLine = Record<string, unknown>;

interface Setup {
  idp: RunningExample;
  service: RunningExample;
}

/** The service's log lines for `uri` with `status` (the access line), waiting for it to be written. */
async function accessLine(service: RunningExample, uri: string, status: number): Promise<LogLine> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const lines = service.stdout.map((line) => JSON.parse(line) as LogLine);
    const found = lines.findLast((line) => line.uri === uri && line.status === status);
    if (found) return found;
    await sleep(20);
  }
  assert.fail(`no access log line for ${uri} ${status}:\n${service.stdout.join('\n')}`);
}

function errorLine(service: RunningExample, requestId: unknown): LogLine {
  const lines = service.stdout.map((line) => JSON.parse(line) as LogLine);
  const found = lines.find((line) => line.msg === 'error in response' && line.request_id === requestId);
  assert.ok(found, `no "error in response" line for request ${requestId}:\n${service.stdout.join('\n')}`);
  return found;
}

function assertAccessLine(line: LogLine, method: string, bytes: number): void {
  assert.equal(line.level, 'info');
  assert.match(String(line.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+[+-]\d\d:\d\d$/);
  assert.match(String(line.msg), /^response completed in \d+\.\d{3}s$/);
  assert.equal(line.method, method);
  assert.equal(typeof line.duration_ms, 'number');
  assert.equal(line.bytes_sent, bytes);
  assert.equal(typeof line.request_id, 'string');
}

async function get(url: string, token?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, text: await response.text() };
}

/** `curl -XPOST -u id:secret <idp>/idp/token` */
async function token(idp: RunningExample, id: string, secret: string): Promise<string> {
  const response = await fetch(`${idp.url}/idp/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
  });
  assert.equal(response.status, 200);
  const body = (await response.json()) as Record<string, unknown>;
  assert.equal(typeof body.access_token, 'string');
  assert.equal(body.expires_in, 3600);
  return body.access_token as string;
}

/** `curl -XPOST -H"Authorization: Bearer <static>" <idp>/idp/introspect_token -d token=…` */
async function introspect(idp: RunningExample, accessToken: string): Promise<string> {
  const response = await fetch(`${idp.url}/idp/introspect_token`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${STATIC_TOKEN}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: `token=${accessToken}`,
  });
  assert.equal(response.status, 200);
  return response.text();
}

/** The same text as the seed's answer, keys in the seed's order. */
function expectedIntrospection(idp: RunningExample, accessToken: string, scope?: unknown): string {
  const { sub, exp, jti } = decodeJwt(accessToken);
  const answer = { active: true, iss: idp.url, sub, exp, jti, ...(scope ? { scope } : {}) };
  return JSON.stringify(answer);
}

/** Asserts the IdP answered the service's introspection calls over gRPC (its `call completed` lines). */
async function assertIntrospectedOverGrpc(idp: RunningExample): Promise<void> {
  const calls = idp.stdout
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.method === '/idp_token.IDPTokenService/IntrospectToken');
  assert.ok(calls.length > 0, 'no gRPC IntrospectToken call reached the IdP');
  assert.ok(calls.every((call) => call.grpc_code === 0));
}

function transcript(
  name: string,
  start: () => Promise<Setup>,
  { grpc = false, stop = () => {} }: { grpc?: boolean; stop?: () => void } = {},
): void {
  describe(name, () => {
    let setup: Setup;
    before(async () => {
      setup = await start();
    });
    after(async () => {
      await Promise.all([setup?.service.stop(), setup?.idp.stop()]);
      stop();
    });

    it('curl <service> → 401 bearerTokenMissing, logged as seed 000 logs it', async () => {
      const { service } = setup;
      assert.deepEqual(await get(service.url), { status: 401, text: MISSING });
      const access = await accessLine(service, '/', 401);
      assertAccessLine(access, 'GET', 111);
      const error = errorLine(service, access.request_id);
      assert.equal(error.level, 'error');
      assert.equal(typeof error.time, 'string');
      assert.equal(error.error_code, 'bearerTokenMissing');
      assert.equal(error.error_message, 'Authorization bearer token is missing.');
    });

    it('user: token, introspection, Hello on /, 403 authorizationFailed on /admin', async () => {
      const { idp, service } = setup;
      const userToken = await token(idp, 'user', 'user-pwd');
      const answer = await introspect(idp, userToken);
      assert.equal(answer, expectedIntrospection(idp, userToken));
      assert.deepEqual(Object.keys(JSON.parse(answer)), ['active', 'iss', 'sub', 'exp', 'jti']);

      assert.deepEqual(await get(service.url, userToken), { status: 200, text: 'Hello, user' });
      assertAccessLine(await accessLine(service, '/', 200), 'GET', 11);

      assert.deepEqual(await get(`${service.url}/admin`, userToken), { status: 403, text: FORBIDDEN });
      const access = await accessLine(service, '/admin', 403);
      assertAccessLine(access, 'GET', 98);
      assert.equal(errorLine(service, access.request_id).error_code, 'authorizationFailed');
    });

    it('admin2: the role only in the introspection answer, Hi on /admin', async () => {
      const { idp, service } = setup;
      const admin2Token = await token(idp, 'admin2', 'admin2-pwd');
      assert.equal(decodeJwt(admin2Token).scope, undefined);
      const answer = await introspect(idp, admin2Token);
      assert.equal(answer, expectedIntrospection(idp, admin2Token, [{ rn: 'my_service', role: 'admin' }]));
      assert.match(answer, /,"scope":\[\{"rn":"my_service","role":"admin"\}\]\}$/);

      assert.deepEqual(await get(`${service.url}/admin`, admin2Token), { status: 200, text: 'Hi, admin2' });
      assertAccessLine(await accessLine(service, '/admin', 200), 'GET', 10);
      if (grpc) await assertIntrospectedOverGrpc(idp);
    });
  });
}

const SERVICE = 'examples/token-introspection/main.ts';
const GRPC_CONFIG = 'examples/token-introspection/config.grpc.yaml';

/** The service trusting the IdP at `idp` (on a free port, where the config says 127.0.0.1:8081). */
function startService(idp: RunningExample, args: string[] = [], env: Record<string, string> = {}) {
  return startExample(SERVICE, ['--port', '0', ...args], {
    env: { MY_SERVICE_AUTH_JWT_TRUSTEDISSUERURLS: idp.url, ...env },
  });
}

/** Starts the IdP, then the service; stops the IdP when the service fails to start. */
async function startBoth(
  idpScript: string,
  idpArgs: string[],
  service: (idp: RunningExample) => Promise<RunningExample>,
): Promise<Setup> {
  const idp = await startExample(idpScript, ['--port', '0', ...idpArgs]);
  try {
    return { idp, service: await service(idp) };
  } catch (error) {
    await idp.stop();
    throw error;
  }
}

transcript('seed 000 over HTTP introspection (idp-test-server + token-introspection)', () =>
  startBoth('examples/idp-test-server/main.ts', [], (idp) => startService(idp)),
);

const GRPC_SERVER = 'examples/token-introspection/grpc-server/main.ts';

transcript(
  'seed 000 over gRPC introspection (grpc-server + --config config.grpc.yaml)',
  () =>
    startBoth(GRPC_SERVER, ['--grpc-port', '0'], (idp) => {
      assert.ok(idp.grpcAddress, 'the gRPC server example announces its gRPC address');
      return startService(idp, ['--config', GRPC_CONFIG], {
        MY_SERVICE_AUTH_INTROSPECTION_GRPC_ENDPOINT: idp.grpcAddress,
      });
    }),
  { grpc: true },
);

let pki: TestPki | undefined;
transcript(
  'seed 000 over gRPC introspection with TLS',
  () => {
    pki = createTestPki('seed-000-service');
    const { serverCert, serverKey, caCert } = pki;
    return startBoth(
      GRPC_SERVER,
      ['--grpc-port', '0', '--grpc-tls-cert', serverCert, '--grpc-tls-key', serverKey],
      (idp) =>
        startService(idp, ['--config', GRPC_CONFIG], {
          MY_SERVICE_AUTH_INTROSPECTION_GRPC_ENDPOINT: idp.grpcAddress as string,
          MY_SERVICE_AUTH_INTROSPECTION_GRPC_TLS_ENABLED: 'true',
          MY_SERVICE_AUTH_INTROSPECTION_GRPC_TLS_CACERT: caCert,
        }),
    );
  },
  { grpc: true, stop: () => pki?.remove() },
);

describe('authn-middleware: local JWT verification only', () => {
  let setup: Setup;
  before(async () => {
    setup = await startBoth('examples/idp-test-server/main.ts', [], (idp) =>
      startExample('examples/authn-middleware/main.ts', ['--port', '0'], {
        env: { MY_SERVICE_AUTH_JWT_TRUSTEDISSUERURLS: idp.url },
      }),
    );
  });
  after(() => Promise.all([setup?.service.stop(), setup?.idp.stop()]));

  it('401 without a token; Hello, user; Hi, admin (role in its token); admin2 refused (role only by introspection)', async () => {
    const { idp, service } = setup;
    assert.deepEqual(await get(service.url), { status: 401, text: MISSING });
    const userToken = await token(idp, 'user', 'user-pwd');
    assert.deepEqual(await get(service.url, userToken), { status: 200, text: 'Hello, user' });
    const adminToken = await token(idp, 'admin', 'admin-pwd');
    assert.deepEqual(await get(`${service.url}/admin`, adminToken), { status: 200, text: 'Hi, admin' });
    const admin2Token = await token(idp, 'admin2', 'admin2-pwd');
    assert.deepEqual(await get(`${service.url}/admin`, admin2Token), { status: 403, text: FORBIDDEN });
    const introspections = idp.stdout.filter((line) => line.includes('"uri":"/idp/introspect_token"'));
    assert.deepEqual(introspections, [], 'no introspection call');
  });
});
