/**
 * @module test/gateway/cli.test
 * `tokenguard gateway --config gateway.yaml` as a real process (`node src/cli/main.ts gateway …`, started
 * like the examples, waiting for its `listening on` line), with `examples/gateway/gateway.yaml` pointed at
 * the example IdP test server and the example upstream on free ports: seed 000's walkthrough through the
 * gateway, the decision endpoint, reload when the file changes and on SIGHUP, an invalid file refused with
 * the key path while the running configuration stays, exit 0 after SIGTERM, and exit 1 naming the key
 * when the configuration is invalid at start.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningExample, startExample } from '../../examples/start.ts';
import { bearer, call } from './support/harness.ts';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'gateway', 'gateway.yaml');
const CLI = 'src/cli/main.ts';

type LogLine = Record<string, unknown>;

function lines(process: RunningExample): LogLine[] {
  return process.stdout.flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

/** Waits until the process has logged `count` lines whose message is (or starts with) `msg`. */
async function logged(process: RunningExample, msg: string, count = 1): Promise<LogLine> {
  for (let attempt = 0; attempt < 250; attempt++) {
    const found = lines(process).filter((line) => String(line.msg).startsWith(msg));
    if (found.length >= count) return found[count - 1];
    await sleep(20);
  }
  assert.fail(`no "${msg}" line (#${count}):\n${process.stdout.join('\n')}`);
}

async function token(idp: RunningExample, client: string, secret: string): Promise<string> {
  const response = await fetch(`${idp.url}/idp/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${client}:${secret}`).toString('base64')}` },
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('tokenguard gateway (CLI) with the example configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenguard-gateway-cli-'));
  const file = join(dir, 'gateway.yaml');
  let idp: RunningExample;
  let upstream: RunningExample;
  let gateway: RunningExample;
  let api: string;
  let example: string;

  before(async () => {
    idp = await startExample('examples/idp-test-server/main.ts', ['--port', '0']);
    upstream = await startExample('examples/gateway/upstream.ts', ['--port', '0']);
    const host = (url: string) => url.replace(/^http:\/\//, '');
    example = readFileSync(EXAMPLE, 'utf8')
      .replaceAll('127.0.0.1:8081', host(idp.url))
      .replaceAll('127.0.0.1:8090', host(upstream.url))
      .replace('port: 4455', 'port: 0')
      .replace('port: 4456', 'port: 0');
    writeFileSync(file, example);
    gateway = await startExample(CLI, ['gateway', '--config', file], {
      env: { TOKENGUARD_GATEWAY_RELOAD_DEBOUNCE: '50ms' },
    });
    api = String((await logged(gateway, 'gateway listening on')).api_url);
  });

  after(async () => {
    await Promise.all([gateway?.stop(), upstream?.stop(), idp?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('replays seed 000 through the gateway', async () => {
    const missing = await call(`${gateway.url}/`);
    assert.equal(missing.status, 401);
    assert.equal(
      missing.text,
      '{"error":{"domain":"MyService","code":"bearerTokenMissing","message":"Authorization bearer token is missing."}}',
    );
    const user = await token(idp, 'user', 'user-pwd');
    assert.equal((await call(`${gateway.url}/`, { headers: bearer(user) })).text, 'Hello, user');
    const forbidden = await call(`${gateway.url}/admin`, { headers: bearer(user) });
    assert.equal(forbidden.status, 403);
    assert.equal(
      forbidden.text,
      '{"error":{"domain":"MyService","code":"authorizationFailed","message":"Authorization is failed."}}',
    );
    const admin2 = await token(idp, 'admin2', 'admin2-pwd');
    assert.equal((await call(`${gateway.url}/admin`, { headers: bearer(admin2) })).text, 'Hi, admin2');
    const seen = (
      await call(`${gateway.url}/headers`, { headers: { ...bearer(user), 'x-user-id': 'admin' } })
    ).json();
    assert.equal(seen['x-user-id'], 'user');
    assert.equal(seen['x-token-issuer'], idp.url);
    assert.equal(seen.authorization, undefined);
    assert.equal(typeof seen['x-userinfo'], 'string');
    const decision = await call(`${api}/decisions/admin`, { headers: bearer(admin2) });
    assert.equal(decision.status, 200);
    assert.equal(decision.headers.get('x-user-id'), 'admin2');
    const access = lines(gateway).find((line) => line.uri === '/admin' && line.status === 403);
    assert.ok(access, 'access log line of seed 000');
    assert.equal(typeof access.duration_ms, 'number');
    assert.ok(!gateway.stdout.join('\n').includes(user), 'no token in any log line');
  });

  it('reloads when the file changes and on SIGHUP; refuses an invalid file and keeps serving', async () => {
    writeFileSync(file, example.replace('errorDomain: MyService', 'errorDomain: Changed'));
    await logged(gateway, 'configuration reloaded', 1);
    const changed = await call(`${gateway.url}/`);
    assert.equal((changed.json().error as { domain: string }).domain, 'Changed');

    writeFileSync(file, example.replace(`urls: [${upstream.url}]`, 'urls: [not-a-url]'));
    const rejected = await logged(gateway, 'configuration rejected; the one in force stays');
    assert.match(
      String(rejected.error_detail),
      /^gateway\.routes\[0\]\.upstream\.urls\[0\]: must be an absolute http\(s\) URL/,
    );
    assert.equal(((await call(`${gateway.url}/`)).json().error as { domain: string }).domain, 'Changed');

    writeFileSync(join(dir, 'unrelated.txt'), 'not the config');
    gateway.child.kill('SIGHUP');
    await logged(gateway, 'configuration rejected; the one in force stays', 2);
    writeFileSync(file, example);
    await logged(gateway, 'configuration reloaded', 2);
    assert.equal(((await call(`${gateway.url}/`)).json().error as { domain: string }).domain, 'MyService');
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const exited = once(gateway.child, 'exit');
    gateway.child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
    await logged(gateway, 'gateway stopped');
  });

  it('exits 1 with one line naming the key when the configuration is invalid', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'gateway:\n  routes:\n    - auth: public\n      upstream: { urls: [ftp://x] }\n');
    await assert.rejects(
      startExample(CLI, ['gateway', '--config', bad], { timeoutMs: 10_000 }),
      /exited with 1 before listening:\nerror: gateway\.routes\[0\]\.upstream\.urls\[0\]: must be an absolute http\(s\) URL/,
    );
  });
});
