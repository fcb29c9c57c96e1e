/**
 * @module idp/store/test-support/consume.child
 * Child process: `consume.child.ts <file> <count>` opens the SQLite store at `file`, prints `ready`, waits
 * for `go`, then consumes the refresh tokens `rt-0` … `rt-<count-1>` of tenant `t1`, printing `won <id>`
 * for each it consumed first, and `done` at the end.
 */
import { SqliteStore } from '../sqlite-store.ts';
import { goSignal } from './child.ts';

const [file, count] = process.argv.slice(2);
const store = new SqliteStore({ file });
await store.migrate();
process.stdout.write('ready\n');
await goSignal();

for (let i = 0; i < Number(count); i++) {
  const result = await store.tokens.consume('t1', `rt-${i}`, process.pid);
  if (result?.replayed === false) process.stdout.write(`won rt-${i}\n`);
}
await store.close();
process.stdout.write('done\n');
