/**
 * @module idp/store/postgres-database.test
 * The pool against the real server: the URL's settings on every connection (search path, statement timeout,
 * application name), bigint as numbers, transactions that the ordinary queries made inside them join, and
 * which failures are an outage (503) and which a bug (as they are).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { isTokenguardError } from '../../errors/tokenguard-error.ts';
import { loadPg } from '../../util/optional-peer.ts';
import { PostgresDatabase } from './postgres-database.ts';
import { parsePostgresUrl } from './postgres-settings.ts';
import { TestSchemas } from './test-support/postgres.ts';

const schemas = new TestSchemas();
const opened: PostgresDatabase[] = [];
after(async () => {
  await Promise.all(opened.map((db) => db.close()));
  await schemas.dropAll();
});

async function open(
  parameters: Record<string, string> = {},
  schema = schemas.next(),
): Promise<PostgresDatabase> {
  const db = new PostgresDatabase(
    await loadPg('idp.store'),
    parsePostgresUrl(schemas.url(schema, parameters)),
  );
  opened.push(db);
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  return db;
}

const isUnavailable = (error: unknown) =>
  isTokenguardError(error) && error.code === 'serviceUnavailable' && error.reason === 'store_unavailable';

describe('PostgresDatabase', () => {
  it('sets the schema, statement timeout and application name on every pooled connection', async () => {
    const schema = schemas.next();
    const db = await open({ statementTimeout: '1500ms', max: '3' }, schema);
    // Several connections at once: each must have been set up, not just the first.
    const rows = await Promise.all(
      Array.from({ length: 3 }, () =>
        db.query<{ search_path: string; timeout: string; name: string; schema: string }>(
          `SELECT current_setting('search_path') AS search_path, current_setting('statement_timeout') AS timeout,
                  current_setting('application_name') AS name, current_schema() AS schema, pg_sleep(0.05)`,
        ),
      ),
    );
    for (const {
      rows: [row],
    } of rows) {
      assert.equal(row.search_path, schema);
      assert.equal(row.schema, schema);
      assert.equal(row.timeout, '1500ms');
      assert.equal(row.name, 'tokenguard-idp');
    }
  });

  it('returns bigint as a number and jsonb as a fresh object', async () => {
    const db = await open();
    const { rows } = await db.query<{ big: number; doc: { a: number[] } }>(
      `SELECT 1760000000::bigint AS big, '{"a":[1,2]}'::jsonb AS doc`,
    );
    assert.equal(rows[0].big, 1_760_000_000);
    assert.deepEqual(rows[0].doc, { a: [1, 2] });
  });

  it('transaction: queries made inside join it; it commits, or rolls everything back on a throw', async () => {
    const db = await open();
    await db.query('CREATE TABLE notes (text text)');
    const insert = (text: string) => db.query('INSERT INTO notes VALUES ($1)', [text]);
    await db.transaction(async () => {
      await insert('kept');
      // Seen inside, by the same connection, before the commit…
      assert.equal((await db.query('SELECT * FROM notes')).rowCount, 1);
    });
    const abandon = new Error('abandon');
    await assert.rejects(
      db.transaction(async () => {
        await insert('dropped');
        throw abandon;
      }),
      (error) => error === abandon,
      'what the work threw comes out as it is',
    );
    const { rows } = await db.query<{ text: string }>('SELECT text FROM notes');
    assert.deepEqual(
      rows.map((row) => row.text),
      ['kept'],
    );
  });

  it('a statement over the statement timeout is an outage (503), not a bug', async () => {
    const db = await open({ statementTimeout: '100ms' });
    await assert.rejects(db.query('SELECT pg_sleep(2)'), (error) => {
      assert.ok(isUnavailable(error), String(error));
      assert.match((error as Error).message, /statement timeout/);
      return true;
    });
  });

  it('a wrong statement stays the database error it is (a 500, not an outage)', async () => {
    const db = await open();
    await assert.rejects(db.query('SELECT * FROM no_such_table'), (error) => {
      assert.ok(!isTokenguardError(error));
      assert.equal((error as { code?: string }).code, '42P01');
      return true;
    });
  });

  it('a pool whose connections are all busy answers unavailable after connectTimeout', async () => {
    const db = await open({ max: '1', connectTimeout: '200ms' });
    const busy = db.transaction(() => db.query('SELECT pg_sleep(1)'));
    await assert.rejects(db.query('SELECT 1'), isUnavailable);
    await busy;
  });
});
