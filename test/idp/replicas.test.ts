/**
 * @module test/idp/replicas.test
 * Two IdP replicas serving one logical IdP: two real `tokenguard idp` processes started together on one
 * PostgreSQL schema (the store URL of one config file), each answering for what the other issued.
 * Tokens (JWT and opaque) of A are active at B, revoked through B (RFC 7009) they are inactive at A; a
 * refresh token rotated at A is a replay at B, which kills the family (RFC 9700 §4.14.2); both publish one
 * JWKS with the key in use; a `keys rotate` run beside them reaches both within `keyRefresh`, and tokens
 * of the new key verify at both. The database password of the URL never shows in their output.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { TestSchemas } from '../../src/idp/store/test-support/postgres.ts';
import { basic, postForm } from './support/seed-idp.ts';

const NODE = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const execFileAsync = promisify(execFile);

/** In the URL, never sent: the test database trusts local connections. It must not appear in any output. */
const DB_PASSWORD = 'replica-db-password';
const INTROSPECTOR = 'replicas-introspection-token';
const ISSUER = 'https://idp.replicas.test';
/** Generous: how long a replica may take to show another's rotation (keyRefresh is 1 s). */
const ROTATION_DEADLINE_MS = 15_000;

/** One `tokenguard idp` process; its stdout and stderr are kept for the assertions and for failures. */
class Replica {
  readonly #child: ChildProcess;
  output = '';
  readonly url: Promise<string>;

  constructor(config: string, cwd: string) {
    this.#child = spawn(NODE, [MAIN, 'idp', '--port', '0', '--config', config], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => {
      this.output += chunk;
    });
    const lines = createInterface({ input: this.#child.stdout! });
    this.url = new Promise((resolve, reject) => {
      lines.on('line', (line) => {
        this.output += `${line}\n`;
        const match = /^tokenguard idp listening on (\S+)$/.exec(line);
        if (match) resolve(match[1]);
      });
      this.#child.once('exit', (code) => reject(new Error(`replica exited with ${code}:\n${this.output}`)));
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.#child.kill('SIGTERM');
    await exited;
  }
}

describe('two IdP replicas on one PostgreSQL schema', () => {
  const schemas = new TestSchemas();
  let dir: string;
  let config: string;
  let replicas: Replica[] = [];
  let a: string;
  let b: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenguard-replicas-'));
    const store = new URL(schemas.url(schemas.next(), { keyRefresh: '1s' }));
    store.password = DB_PASSWORD;
    // JSON is YAML: the file is read as the CLI reads any config.
    config = join(dir, 'idp.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        idp: {
          store: store.toString(),
          issuer: ISSUER,
          legacy: { passwordGrant: true },
          clients: [
            { id: 'svc-jwt', secret: 'svc-jwt-secret' },
            { id: 'svc-opaque', secret: 'svc-opaque-secret', tokenFormat: 'opaque' },
            { id: 'app', secret: 'app-secret', grantTypes: ['password', 'refresh_token'] },
          ],
          users: [{ username: 'alice', password: 'alice-pwd' }],
          introspection: { staticTokens: [{ token: INTROSPECTOR, name: 'replicas' }] },
        },
      }),
    );
    // Started together: both migrate the fresh schema and apply the declarations at the same moment.
    replicas = [new Replica(config, dir), new Replica(config, dir)];
    [a, b] = await Promise.all(replicas.map((replica) => replica.url));
  });

  after(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    rmSync(dir, { recursive: true, force: true });
    await schemas.dropAll();
  });

  const clientCredentials = async (replica: string, client: string, secret: string) => {
    const answer = await postForm(
      `${replica}/oauth2/token`,
      { grant_type: 'client_credentials' },
      { authorization: basic(client, secret) },
    );
    assert.equal(answer.status, 200, answer.text);
    return answer.json().access_token as string;
  };
  const introspect = async (replica: string, token: string) => {
    const answer = await postForm(
      `${replica}/oauth2/introspect`,
      { token },
      { authorization: `Bearer ${INTROSPECTOR}` },
    );
    assert.equal(answer.status, 200, answer.text);
    return answer.json();
  };
  const jwks = async (replica: string) =>
    (await (await fetch(`${replica}/oauth2/jwks`)).json()) as JSONWebKeySet;
  const kidOf = (token: string) => decodeProtectedHeader(token).kid;

  it('publish one JWKS, made by one of them, with the key both sign with', async () => {
    // Both ask for the tenant's first key at once: one key is made, not one per replica.
    const [atA, atB] = await Promise.all([jwks(a), jwks(b)]);
    assert.equal(atA.keys.length, 1);
    assert.deepEqual(atB, atA);
    const [fromA, fromB] = await Promise.all([
      clientCredentials(a, 'svc-jwt', 'svc-jwt-secret'),
      clientCredentials(b, 'svc-jwt', 'svc-jwt-secret'),
    ]);
    assert.equal(kidOf(fromA), atA.keys[0].kid);
    assert.equal(kidOf(fromB), atA.keys[0].kid);
    // Each replica's JWKS verifies the other's tokens, as a resource server holding it would.
    await compactVerify(fromA, createLocalJWKSet(atB));
    await compactVerify(fromB, createLocalJWKSet(atA));
  });

  for (const [format, client, secret] of [
    ['a JWT', 'svc-jwt', 'svc-jwt-secret'],
    ['an opaque', 'svc-opaque', 'svc-opaque-secret'],
  ] as const) {
    it(`${format} client_credentials token of A is active at B; revoked through B, inactive at A`, async () => {
      const token = await clientCredentials(a, client, secret);
      assert.equal(format === 'a JWT', token.split('.').length === 3);
      const atB = await introspect(b, token);
      assert.equal(atB.active, true);
      assert.equal(atB.client_id, client);
      assert.equal(atB.iss, ISSUER);

      const revoked = await postForm(
        `${b}/oauth2/revoke`,
        { token },
        { authorization: basic(client, secret) },
      );
      assert.equal(revoked.status, 200, revoked.text);
      assert.deepEqual(await introspect(a, token), { active: false });
      assert.deepEqual(await introspect(b, token), { active: false });
    });
  }

  it('a refresh token rotated at A and presented again at B is a replay that kills the family', async () => {
    const auth = { authorization: basic('app', 'app-secret') };
    const grant = (replica: string, form: Record<string, string>) =>
      postForm(`${replica}/oauth2/token`, form, auth);
    const first = await grant(a, { grant_type: 'password', username: 'alice', password: 'alice-pwd' });
    assert.equal(first.status, 200, first.text);
    const spent = first.json().refresh_token as string;
    const rotated = await grant(a, { grant_type: 'refresh_token', refresh_token: spent });
    assert.equal(rotated.status, 200, rotated.text);
    const next = rotated.json();

    const replay = await grant(b, { grant_type: 'refresh_token', refresh_token: spent });
    assert.equal(replay.status, 400);
    assert.equal(replay.json().error, 'invalid_grant');
    // The whole family went with it, at both replicas: the rotated refresh and access tokens too.
    const successor = await grant(a, {
      grant_type: 'refresh_token',
      refresh_token: next.refresh_token as string,
    });
    assert.equal(successor.json().error, 'invalid_grant');
    assert.deepEqual(await introspect(a, next.access_token as string), { active: false });
    assert.deepEqual(await introspect(b, first.json().access_token as string), { active: false });
  });

  it('a key rotation run beside them reaches both within keyRefresh; tokens of the new key verify at both', async () => {
    const old = (await jwks(a)).keys[0].kid;
    // A third process, as an operator would run it: it exits 0 only if the rotation was stored.
    const { stdout } = await execFileAsync(NODE, [MAIN, 'idp', 'keys', 'rotate', '--config', config], {
      cwd: dir,
    });
    const created = /new signing key (\S+)/.exec(stdout)?.[1];
    assert.ok(created && created !== old, stdout);
    assert.doesNotMatch(stdout, new RegExp(DB_PASSWORD));

    // Both replicas publish the new key first, and the old one beside it (it still covers its tokens).
    for (const replica of [a, b]) {
      const deadline = Date.now() + ROTATION_DEADLINE_MS;
      while ((await jwks(replica)).keys[0].kid !== created) {
        assert.ok(Date.now() < deadline, `${replica} never published ${created}`);
        await delay(100);
      }
      assert.deepEqual(
        (await jwks(replica)).keys.map((key) => key.kid),
        [created, old],
      );
    }
    const [fromA, fromB] = await Promise.all([
      clientCredentials(a, 'svc-jwt', 'svc-jwt-secret'),
      clientCredentials(b, 'svc-jwt', 'svc-jwt-secret'),
    ]);
    assert.equal(kidOf(fromA), created);
    assert.equal(kidOf(fromB), created);
    assert.equal((await introspect(b, fromA)).active, true);
    assert.equal((await introspect(a, fromB)).active, true);
    await compactVerify(fromA, createLocalJWKSet(await jwks(b)));
    await compactVerify(fromB, createLocalJWKSet(await jwks(a)));
  });

  it('never print the database password', () => {
    for (const replica of replicas) {
      assert.match(replica.output, /tokenguard idp listening on/);
      assert.doesNotMatch(replica.output, new RegExp(DB_PASSWORD));
    }
  });
});
