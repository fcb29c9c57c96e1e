/**
 * The CLI registers browser sign-in parties (issue 10): `clients add --public --grant authorization_code
 * --redirect-uri …` makes a public client (method none, no secret printed), `--first-party` skips consent,
 * `users add --name --email` gives userinfo its claims; a bad redirect URI, a public client with a secret
 * or with other grants are usage errors.
 * Commands run in-process on a SQLite file, which a started IdP then serves.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIo } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { openStore } from '../../../src/idp/store/open-store.ts';

function capture(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), err: (line) => lines.push(line), env: {} };
}

describe('CLI: browser sign-in clients and users', () => {
  let dir: string;
  let store: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tokenguard-browser-cli-'));
    store = `sqlite:${join(dir, 'idp.db')}`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a public and a first-party client and a user with name and email', async () => {
    const io = capture();
    const spa = [
      'idp',
      'clients',
      'add',
      'spa',
      '--public',
      '--grant',
      'authorization_code',
      '--grant',
      'refresh_token',
    ];
    assert.equal(await main([...spa, '--redirect-uri', 'http://127.0.0.1:5173/cb', '--store', store], io), 0);
    assert.ok(!io.lines.some((line) => line.includes('client_secret')), 'a public client has no secret');
    const portal = ['idp', 'clients', 'add', 'portal', '--grant', 'authorization_code', '--first-party'];
    assert.equal(
      await main([...portal, '--redirect-uri', 'https://portal.example/cb', '--store', store], io),
      0,
    );
    const user = ['idp', 'users', 'add', 'alice', '--password', 'pw-123456', '--admin'];
    assert.equal(
      await main([...user, '--name', 'Alice', '--email', 'alice@example.org', '--store', store], io),
      0,
    );

    const opened = await openStore(store, { dataDir: dir });
    try {
      const client = await opened.clients.get('default', 'spa');
      assert.deepEqual(client?.authMethods, ['none']);
      assert.equal(client?.secretHash, undefined);
      assert.deepEqual(client?.redirectUris, ['http://127.0.0.1:5173/cb']);
      assert.equal((await opened.clients.get('default', 'portal'))?.firstParty, true);
      const alice = await opened.users.get('default', 'alice');
      assert.equal(alice?.name, 'Alice');
      assert.equal(alice?.email, 'alice@example.org');
      assert.equal(alice?.admin, true);
    } finally {
      await opened.close();
    }
  });

  it('refuses redirect URIs that are not absolute, have a fragment or use http off loopback', async () => {
    for (const uri of [
      '/relative',
      'https://app.example/cb#x',
      'http://app.example/cb',
      'javascript:alert(1)',
    ]) {
      const io = capture();
      const code = await main(
        [
          'idp',
          'clients',
          'add',
          'bad',
          '--grant',
          'authorization_code',
          '--redirect-uri',
          uri,
          '--store',
          store,
        ],
        io,
      );
      assert.equal(code, 2, uri);
      assert.match(io.lines.join('\n'), /redirectUris/, uri);
    }
    const io = capture();
    const missing = ['idp', 'clients', 'add', 'bad', '--grant', 'authorization_code'];
    assert.equal(await main([...missing, '--store', store], io), 2, 'the grant needs a redirect URI');
    const secret = [
      'idp',
      'clients',
      'add',
      'bad',
      '--public',
      '--secret',
      's3cret',
      '--grant',
      'authorization_code',
    ];
    assert.equal(await main([...secret, '--redirect-uri', 'https://a.example/cb', '--store', store], io), 2);
    const grants = ['idp', 'clients', 'add', 'bad', '--public', '--grant', 'client_credentials'];
    assert.equal(
      await main([...grants, '--store', store], io),
      2,
      'a public client has no client_credentials',
    );
  });
});
