/**
 * @module idp/web/passwords
 * Checking a user's password for interactive sign-in without telling whether the account exists: the
 * scrypt derivation runs whether the user is known, unknown or disabled (`verifyPassword` derives against
 * a dummy hash when there is none), and every failure is the same `undefined`, which the page turns into
 * one generic message (OWASP Authentication: "Invalid username or password").
 */
import type { User } from '../model.ts';
import { verifyPassword } from '../secrets.ts';
import type { IdpStore } from '../store/types.ts';

/** The user when `password` is theirs and they may sign in, else undefined (whatever the reason). */
export async function verifyUserPassword(
  store: Pick<IdpStore, 'users'>,
  tenant: string,
  username: string,
  password: string,
): Promise<User | undefined> {
  const user = username === '' ? undefined : await store.users.get(tenant, username);
  const valid = await verifyPassword(password, user?.passwordHash);
  return valid && user && !user.disabled ? user : undefined;
}
