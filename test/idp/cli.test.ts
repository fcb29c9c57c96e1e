/**
 * @module test/idp/cli.test
 * The `tokenguard` command line as a real process: `idp --port 0 --config <yaml>` serves (its stdout names
 * the bound URL, its access log carries no secret, SIGTERM stops it with 0); the administrative commands
 * work on a SQLite data directory, and a client added there gets tokens from an IdP on the same store;
 * usage errors exit 2, configuration errors exit 1 naming the key, and neither prints a stack trace.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { createIdp } from '../../src/idp/server.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { basic, postForm } from './support/seed-idp.ts';

const NODE = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function run(args: string[], cwd: string): Promise<Run> {
  const child = spawn(NODE, [MAIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

function assertNoStack(text: string): void {
  assert.doesNotMatch(text, /\n\s+at /, 'no stack trace');
}

describe('tokenguard CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tokenguard-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('idp --port 0 --config: prints the URL, serves seed 000, logs without secrets, stops on SIGTERM', async () => {
    const config = join(dir, 'idp.yaml');
    writeFileSync(
      config,
      [
        'idp:',
        '  store: memory',
        '  clients:',
        '    - id: user',
        '      secret: user-pwd',
        '  introspection:',
        '    staticTokens:',
        '      - token: access-token-with-introspection-permission',
        '',
      ].join('\n'),
    );
    const child: ChildProcess = spawn(NODE, [MAIN, 'idp', '--port', '0', '--config', config], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const reader = createInterface({ input: child.stdout! });
    const url = await new Promise<string>((resolve, reject) => {
      reader.on('line', (line) => {
        lines.push(line);
        const match = /^tokenguard idp listening on (\S+)$/.exec(line);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const token = await fetch(`${url}/idp/token`, {
      method: 'POST',
      headers: { authorization: basic('user', 'user-pwd') },
    });
    assert.equal(token.status, 200);
    const { access_token } = (await token.json()) as { access_token: string };
    const answer = await postForm(
      `${url}/idp/introspect_token`,
      { token: access_token },
      {
        authorization: 'Bearer access-token-with-introspection-permission',
      },
    );
    assert.equal(answer.json().sub, 'user');
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number];
    assert.equal(code, 0);
    const output = lines.join('\n');
    assert.match(output, /Next steps:/);
    assert.match(output, /"msg":"response completed in \d+\.\d{3}s"/, 'the seed 000 access log line');
    assert.doesNotMatch(output, /user-pwd|access-token-with-introspection-permission/);
    assert.ok(!output.includes(access_token), 'no token in the logs');
  });

  it('clients add / list / remove on a SQLite data directory; the added client gets tokens', async () => {
    const data = join(dir, 'data');
    const added = await run(
      ['idp', 'clients', 'add', 'cli-client', '--scope', 'read', '--introspect', '--data-dir', data],
      dir,
    );
    assert.equal(added.code, 0, added.stderr);
    const secret = /client_secret: (\S+)/.exec(added.stdout)?.[1];
    assert.ok(secret && secret.length >= 43, 'a generated 256-bit secret, printed once');

    const listed = await run(['idp', 'clients', 'list', '--json', '--data-dir', data], dir);
    assert.equal(listed.code, 0, listed.stderr);
    const rows = JSON.parse(listed.stdout) as {
      client_id: string;
      scopes: string[];
      can_introspect: boolean;
    }[];
    assert.deepEqual(
      rows.map((row) => [row.client_id, row.scopes, row.can_introspect]),
      [['cli-client', ['read'], true]],
    );
    assert.ok(!listed.stdout.includes(secret), 'list never shows secrets');

    const again = await run(['clients', 'add', 'cli-client', '--data-dir', data], dir);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);

    const idp = await createIdp({ port: 0, store: 'sqlite', dataDir: data }, { logger: silentLogger });
    try {
      const token = await postForm(
        `${idp.url}/oauth2/token`,
        { grant_type: 'client_credentials', scope: 'read' },
        {
          authorization: basic('cli-client', secret),
        },
      );
      assert.equal(token.status, 200, token.text);
    } finally {
      await idp.close();
    }

    const revoked = await run(['idp', 'tokens', 'revoke', '--client', 'cli-client', '--data-dir', data], dir);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /^1 token revoked in tenant default$/m);

    const rotated = await run(['idp', 'keys', 'rotate', '--data-dir', data], dir);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /new signing key \S+ \(RS256\)/);

    const removed = await run(['idp', 'clients', 'remove', 'cli-client', '--data-dir', data], dir);
    assert.equal(removed.code, 0);
    const missing = await run(['idp', 'clients', 'remove', 'cli-client', '--data-dir', data], dir);
    assert.equal(missing.code, 1);
  });

  it('users add with --introspect on a tenant it creates', async () => {
    const data = join(dir, 'users');
    const added = await run(
      [
        'idp',
        'users',
        'add',
        'admin',
        '--tenant',
        'foo.com',
        '--introspect',
        '--password',
        'admin',
        '--data-dir',
        data,
      ],
      dir,
    );
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /tenant foo\.com created/);
    const listed = await run(['idp', 'users', 'list', '--tenant', 'foo.com', '--data-dir', data], dir);
    assert.match(listed.stdout, /^admin\tintrospect$/m);
  });

  it('usage errors exit 2 with one line; configuration errors exit 1 naming the key; no stack traces', async () => {
    for (const args of [
      [],
      ['idp', '--bogus'],
      ['idp', 'clients', 'add'],
      ['idp', 'clients', 'frobnicate'],
      ['idp', '--port', 'x'],
      ['nope'],
    ]) {
      const result = await run(args, dir);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^usage error: .+\n/);
      assertNoStack(result.stderr);
    }
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'idp:\n  store: memory\n  tokens:\n    accessTokenTtl: soon\n');
    const invalid = await run(['idp', '--config', bad, '--port', '0'], dir);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /^error: idp\.tokens\.accessTokenTtl: "soon" is not a duration/);
    assertNoStack(invalid.stderr);
    const memoryAdmin = await run(['idp', 'clients', 'list', '--store', 'memory'], dir);
    assert.equal(memoryAdmin.code, 1);
    assert.match(memoryAdmin.stderr, /^error: idp\.store: /);
    const help = await run(['--help'], dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /tokenguard idp clients add <id>/);
  });
});
