/**
 * @module idp/console/users
 * Users and their roles as the console manages them: list, create with a password the administrator sets,
 * reset the password, assign access policies (`{rn, role}` pairs) and the administrator flag, disable.
 * Records are built by the declaration schema and record builder of the config file and
 * `tokenguard idp users add` (`userSchema`, `userRecord`): passwords are stored as scrypt hashes only.
 *
 * An administrator cannot take away their own administrator flag nor disable themselves: the console would
 * lock out the person using it, possibly the tenant's last administrator.
 */
import { userRecord } from '../config/records.ts';
import { userSchema } from '../config/schema.ts';
import type { User } from '../model.ts';
import { hashPassword } from '../secrets.ts';
import type { IdpStore } from '../store/types.ts';
import { checked, type FormResult, parsePolicies, text, validate } from './form-values.ts';

/** NIST SP 800-63B §3.1.1.2: memorized secrets chosen for someone are at least 8 characters long. */
export const MIN_PASSWORD_LENGTH = 8;

const FIELDS: Readonly<Record<string, string>> = {
  username: 'username',
  password: 'password',
  policies: 'policies',
  admin: 'admin',
  canIntrospect: 'can_introspect',
  disabled: 'disabled',
};

function passwordProblem(password: string) {
  return password.length < MIN_PASSWORD_LENGTH
    ? { field: 'password', message: `Enter a password of at least ${MIN_PASSWORD_LENGTH} characters.` }
    : undefined;
}

export async function createUser(
  store: IdpStore,
  tenant: string,
  form: URLSearchParams,
  now: number,
): Promise<FormResult<User>> {
  const password = form.get('password') ?? '';
  const policies = parsePolicies(form.get('policies') ?? '', 'policies');
  if (!policies.ok) return policies;
  const declared = validate(
    userSchema,
    {
      username: text(form, 'username'),
      tenant,
      password,
      policies: policies.value,
      admin: checked(form, 'admin'),
      canIntrospect: checked(form, 'can_introspect'),
    },
    FIELDS,
    'username',
  );
  if (!declared.ok) return declared;
  const weak = passwordProblem(password);
  if (weak) return { ok: false, problems: [weak] };
  // `new` names the creation page (`users/new`), so no user may have it as their name.
  if (declared.value.username === 'new' || (await store.users.get(tenant, declared.value.username))) {
    return { ok: false, problems: [{ field: 'username', message: 'A user with this name exists already.' }] };
  }
  const user = await userRecord(declared.value, undefined, now);
  await store.users.put(user);
  return { ok: true, value: user };
}

/** Saves policies and flags; `actor` is the signed-in administrator. */
export async function updateUser(
  store: IdpStore,
  existing: User,
  form: URLSearchParams,
  actor: string,
): Promise<FormResult<User>> {
  const policies = parsePolicies(form.get('policies') ?? '', 'policies');
  if (!policies.ok) return policies;
  const admin = checked(form, 'admin');
  const disabled = checked(form, 'disabled');
  if (existing.username === actor && (!admin || disabled)) {
    return {
      ok: false,
      problems: [
        {
          field: admin ? 'disabled' : 'admin',
          message: 'You cannot remove your own administrator rights or disable yourself.',
        },
      ],
    };
  }
  const user: User = {
    ...existing,
    policies: policies.value,
    admin,
    disabled,
    canIntrospect: checked(form, 'can_introspect'),
  };
  await store.users.put(user);
  return { ok: true, value: user };
}

export async function resetPassword(
  store: IdpStore,
  existing: User,
  password: string,
): Promise<FormResult<User>> {
  const weak = passwordProblem(password);
  if (weak) return { ok: false, problems: [weak] };
  const user = { ...existing, passwordHash: await hashPassword(password) };
  await store.users.put(user);
  return { ok: true, value: user };
}

/** Users of `tenant` by name. */
export async function listUsers(store: IdpStore, tenant: string): Promise<User[]> {
  return (await store.users.list(tenant)).sort((a, b) => a.username.localeCompare(b.username));
}
