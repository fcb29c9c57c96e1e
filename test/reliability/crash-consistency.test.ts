/**
 * @module test/reliability/crash-consistency.test
 * The IdP killed with SIGKILL in the middle of writes. `tokenguard idp` runs as a real process on a SQLite
 * file (WAL journal); the test issues JWT and opaque tokens and revokes some, from several connections at
 * once, and kills the process while requests are in flight, three times over. After each restart on the
 * same file: every token whose issuance got a 200 is introspected active, every one whose revocation got a
 * 200 inactive, `PRAGMA integrity_check` says ok, and the journal is still WAL. A request the kill cut
 * short may have landed or not; nothing that was answered 200 may be lost.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type IdpProcess, startIdpProcess, writeIdpConfig } from './support/idp-process.ts';
import { assertNoLeaks, SecretSet } from './support/leaks.ts';
import { startLoad } from './support/load.ts';
import { OAuthCalls } from './support/oauth-calls.ts';

const RS = { id: 'resource-server', secret: 'crash-rs-secret-1f9d3b77' };
const JWT_APP = { id: 'jwt-app', secret: 'crash-jwt-app-secret-8e02ac' };
const OPAQUE_APP = { id: 'opaque-app', secret: 'crash-opaque-secret-4c61d0' };
const KILLS = 3;

describe('crash consistency: the IdP killed with SIGKILL mid-write (SQLite, WAL)', () => {
  let dir: string;
  let config: string;
  let file: string;
  const lines: string[] = [];
  const secrets = new SecretSet()
    .addBasic('rs', RS.id, RS.secret)
    .addBasic('jwt app', JWT_APP.id, JWT_APP.secret)
    .addBasic('opaque app', OPAQUE_APP.id, OPAQUE_APP.secret);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tokenguard-crash-'));
    file = join(dir, 'idp.db');
    config = join(dir, 'idp.yaml');
    writeIdpConfig(config, {
      store: `sqlite:${file}`,
      logLevel: 'info',
      clients: [
        { ...RS, canIntrospect: true },
        { ...JWT_APP, scopes: ['read'] },
        { ...OPAQUE_APP, scopes: ['read'], tokenFormat: 'opaque' },
      ],
      introspection: { rateLimit: { perCaller: 0 } },
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`keeps every answered write across ${KILLS} kills, and the file stays sound`, async (t) => {
    const issued: string[] = [];
    const revoked = new Set<string>();
    const uncertain = new Set<string>();
    let cut = 0;
    for (let round = 0; round < KILLS; round++) {
      const idp: IdpProcess = await startIdpProcess(config, dir, lines);
      const calls = new OAuthCalls(idp.url);
      const load = startLoad(8, async (worker) => {
        if (worker % 4 === 3 && issued.length > 4) {
          const token = issued[Math.floor(Math.random() * issued.length)];
          if (revoked.has(token)) return undefined;
          uncertain.add(token);
          const client = token.split('.').length === 3 ? JWT_APP : OPAQUE_APP;
          if ((await calls.revoke(client, token)) === 200) {
            revoked.add(token);
            uncertain.delete(token);
          }
          return undefined;
        }
        const answer = await calls.issue(worker % 2 ? JWT_APP : OPAQUE_APP, 'read');
        if (answer.status === 200) {
          issued.push(answer.token!);
          secrets.add('issued token', answer.token!);
        }
        return undefined;
      });
      await sleep(500 + Math.random() * 400);
      await idp.stop('SIGKILL');
      await load.stop();
      cut += load.failures.length;
      await calls.close();
    }

    const idp = await startIdpProcess(config, dir, lines);
    const calls = new OAuthCalls(idp.url);
    for (const token of issued) {
      const answer = await calls.introspect(RS, token);
      assert.equal(answer.status, 200);
      if (revoked.has(token))
        assert.equal(answer.active, false, 'a revocation answered 200 survived the kill');
      else if (!uncertain.has(token))
        assert.equal(answer.active, true, 'a token answered 200 survived the kill');
    }
    await calls.close();
    await idp.stop('SIGTERM');

    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const check = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
      assert.deepEqual(
        check.map((row) => row.integrity_check),
        ['ok'],
      );
      assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    } finally {
      db.close();
    }
    assert.ok(issued.length > 50 && revoked.size > 5, `${issued.length} issued, ${revoked.size} revoked`);
    t.diagnostic(
      `${KILLS} SIGKILLs, ${issued.length} tokens issued, ${revoked.size} revoked, ${cut} requests cut`,
    );
    assertNoLeaks(lines, secrets, 'IdP output line');
  });
});
