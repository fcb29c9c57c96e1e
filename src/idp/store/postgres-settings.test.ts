/**
 * @module idp/store/postgres-settings.test
 * Reading the PostgreSQL URL: defaults, tokenguard's parameters taken out of what the driver gets, the
 * search path as a startup option, and refusals that name the parameter but never the password.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTokenguardError } from '../../errors/tokenguard-error.ts';
import { parsePostgresUrl, postgresUrlProblem } from './postgres-settings.ts';

const refused = (message: RegExp) => (error: unknown) =>
  isTokenguardError(error) &&
  error.code === 'configInvalid' &&
  error.path === 'idp.store' &&
  message.test(error.message) &&
  !error.message.includes('s3cret');

describe('parsePostgresUrl', () => {
  it('defaults: pool of 10, 30s idle, 5s connect, 10s statements, keys re-read every 30s', () => {
    const settings = parsePostgresUrl('postgres://idp:s3cret@db.internal:5433/tokens');
    assert.deepEqual(
      { ...settings },
      {
        connectionString: 'postgres://idp:s3cret@db.internal:5433/tokens',
        redacted: 'postgres://idp:***@db.internal:5433/tokens',
        schema: undefined,
        options: undefined,
        max: 10,
        idleTimeoutMs: 30_000,
        connectTimeoutMs: 5_000,
        statementTimeoutMs: 10_000,
        keyRefreshSeconds: 30,
      },
    );
  });

  it('takes its own parameters out of the URL and leaves the driver’s', () => {
    const settings = parsePostgresUrl(
      'postgresql://idp@db/tokens?sslmode=require&schema=tenant_a&max=4&idleTimeout=1m' +
        '&connectTimeout=1500&statementTimeout=0&keyRefresh=500ms&application_name=idp-eu',
    );
    assert.equal(
      settings.connectionString,
      'postgresql://idp@db/tokens?sslmode=require&application_name=idp-eu',
    );
    assert.equal(settings.redacted, 'postgresql://idp@db/tokens?schema=tenant_a');
    assert.equal(settings.schema, 'tenant_a');
    assert.equal(settings.options, '-c search_path=tenant_a');
    assert.equal(settings.max, 4);
    assert.equal(settings.idleTimeoutMs, 60_000);
    assert.equal(settings.connectTimeoutMs, 1500, 'a plain number is milliseconds');
    assert.equal(settings.statementTimeoutMs, 0, 'no limit');
    assert.equal(settings.keyRefreshSeconds, 0.5);
  });

  it('keeps the URL’s own startup options beside the search path', () => {
    const settings = parsePostgresUrl('postgres://db/x?options=-c%20lock_timeout%3D2s&schema=s1');
    assert.equal(settings.options, '-c lock_timeout=2s -c search_path=s1');
    assert.equal(settings.connectionString, 'postgres://db/x');
  });

  it('refuses bad values, naming the parameter, never the password', () => {
    const base = 'postgres://idp:s3cret@db/tokens';
    assert.throws(() => parsePostgresUrl(`${base}?schema=Tenant-A`), refused(/schema="Tenant-A" must be/));
    assert.throws(() => parsePostgresUrl(`${base}?schema=pg_catalog`), refused(/not pg_/));
    assert.throws(() => parsePostgresUrl(`${base}?schema=a;drop`), refused(/schema=/));
    assert.throws(() => parsePostgresUrl(`${base}?max=0`), refused(/max="0" must be a whole number/));
    assert.throws(() => parsePostgresUrl(`${base}?max=2.5`), refused(/max=/));
    assert.throws(() => parsePostgresUrl(`${base}?max=ten`), refused(/max=/));
    assert.throws(() => parsePostgresUrl(`${base}?connectTimeout=0`), refused(/connectTimeout="0".*above 0/));
    assert.throws(() => parsePostgresUrl(`${base}?keyRefresh=soon`), refused(/keyRefresh="soon"/));
    assert.throws(() => parsePostgresUrl(`${base}?idleTimeout=-1s`), refused(/idleTimeout/));
    assert.throws(() => parsePostgresUrl(`${base}?max=1&max=2`), refused(/max is given 2 times/));
    assert.throws(
      () => parsePostgresUrl(`${base}?max=0`),
      refused(/^Invalid configuration: idp\.store: postgres:\/\/idp:\*\*\*@db\/tokens: /),
    );
    assert.throws(
      () => parsePostgresUrl('postgres://idp:s3cret@[bad/x'),
      refused(/not a valid PostgreSQL URL/),
    );
  });

  it('postgresUrlProblem: the reason without the key path, or undefined', () => {
    assert.equal(postgresUrlProblem('postgres://db/x?schema=ok_1'), undefined);
    assert.equal(
      postgresUrlProblem('postgres://u:s3cret@db/x?max=0'),
      'postgres://u:***@db/x: max="0" must be a whole number of connections from 1 to 1000',
    );
  });
});
