/**
 * @module cli/main.test
 * The command dispatcher in-process: exit codes and one-line messages for usage and configuration errors,
 * help, and an administrative command against a temporary SQLite file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { configInvalid } from '../errors/tokenguard-error.ts';
import { describeFailure, EXIT_FAILURE, EXIT_USAGE, usageError } from './cli-error.ts';
import type { CliIo } from './io.ts';
import { main } from './main.ts';

function capture(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line), env };
  return { io, out, err };
}

describe('main', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenguard-main-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('maps failures to one line and an exit code', () => {
    assert.deepEqual(describeFailure(usageError('bad flag')), {
      line: 'usage error: bad flag',
      code: EXIT_USAGE,
    });
    assert.deepEqual(describeFailure(configInvalid('idp.port', 'too big')), {
      line: 'error: idp.port: too big',
      code: EXIT_FAILURE,
    });
    assert.deepEqual(describeFailure(new Error('boom\n    at somewhere')), {
      line: 'error: boom',
      code: EXIT_FAILURE,
    });
  });

  it('usage errors exit 2, help exits 0', async () => {
    for (const argv of [
      [],
      ['idp', 'keys'],
      ['idp', 'keys', 'spin'],
      ['idp', 'clients', 'add', 'a', 'b'],
      ['idp', 'tokens', 'revoke'],
    ]) {
      const { io, err } = capture();
      assert.equal(await main(argv, io), EXIT_USAGE, argv.join(' '));
      assert.match(err[0], /^usage error: /);
    }
    const { io, out } = capture();
    assert.equal(await main(['idp', 'clients', 'add', '--help'], io), 0);
    assert.match(out.join('\n'), /^Usage:/);
  });

  it('shows only the start of a long unknown option: it may be a pasted token', async () => {
    const token = '--Zk9vYmFyYmF6cXV4LXNlY3JldC10b2tlbi12YWx1ZQ';
    const { io, err } = capture();
    assert.equal(await main(['idp', 'tokens', 'revoke', token], io), EXIT_USAGE);
    assert.equal(
      err[0],
      `usage error: unknown option '--Zk9v… (${token.length} characters)'; a value that begins with '-' goes after '--'`,
    );
    const typo = capture();
    assert.equal(await main(['idp', 'tokens', 'revoke', '--clinet', 'a'], typo.io), EXIT_USAGE);
    assert.match(typo.err[0], /unknown option '--clinet'/, 'a short one is shown whole');
  });

  it('a bad flag value of clients add names the key', async () => {
    const { io, err } = capture();
    assert.equal(
      await main(['idp', 'clients', 'add', 'x', '--format', 'xml', '--data-dir', dir], io),
      EXIT_USAGE,
    );
    assert.match(err[0], /^usage error: client\.tokenFormat: /);
  });

  it('the environment selects the store of administrative commands', async () => {
    const env = { TOKENGUARD_IDP_STORE: `sqlite:${join(dir, 'env.db')}` };
    const added = capture(env);
    assert.equal(await main(['clients', 'add', 'svc', '--secret', 'given-secret'], added.io), 0);
    assert.deepEqual(added.out, ['tenant default created', 'client svc created in tenant default']);
    const listed = capture(env);
    assert.equal(await main(['clients', 'list'], listed.io), 0);
    assert.match(listed.out[0], /^svc\tjwt\t/);
    const wrongTenant = capture(env);
    assert.equal(await main(['keys', 'rotate', '--tenant', 'nope.com'], wrongTenant.io), EXIT_FAILURE);
  });
});
