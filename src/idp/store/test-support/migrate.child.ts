/**
 * @module idp/store/test-support/migrate.child
 * Child process: `migrate.child.ts <file>` prints `ready`, waits for `go`, then starts as the store does:
 * opens the SQLite file (switching a new one to WAL), migrates the schema, and prints the versions it found
 * and left as JSON (`{"from":…,"to":…}`).
 */
import { migrateSchema } from '../migrations.ts';
import { openDatabase } from '../sqlite-connection.ts';
import { goSignal } from './child.ts';

process.stdout.write('ready\n');
await goSignal();
const db = openDatabase(process.argv[2]);
process.stdout.write(`${JSON.stringify(migrateSchema(db))}\n`);
db.close();
