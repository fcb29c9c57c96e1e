/**
 * @module idp/store/test-support/write-tokens.child
 * Child process: `write-tokens.child.ts <file>` issues tokens into the SQLite store at `file` until it is
 * killed, revoking every third one. Each line it prints (`put <id>` or `revoked <id>`) is printed after the
 * write committed, so the parent knows which writes must survive the kill.
 */
import { SqliteStore } from '../sqlite-store.ts';
import { freshToken } from './records.ts';

const store = new SqliteStore({ file: process.argv[2] });
await store.migrate();

// Bounded, so a child whose parent died does not write forever.
for (let i = 0; i < 1_000_000; i++) {
  const id = `tok-${i}`;
  await store.tokens.put(freshToken('t1', id, { familyId: `family-${i % 7}` }));
  // On Linux a write to a pipe is synchronous: the line has left the process when this returns.
  process.stdout.write(`put ${id}\n`);
  if (i % 3 === 2) {
    await store.tokens.revoke('t1', id, i);
    process.stdout.write(`revoked ${id}\n`);
  }
}
