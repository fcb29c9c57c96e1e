/**
 * @module idp/console/token-answer
 * The RFC 7662 §2.2 answer the introspection endpoint gives for a stored token, computed from its record:
 * the console lists tokens from the store, where an opaque token exists only as the digest of its value,
 * so it cannot present the token to `TokenService.introspect`. The answer is built from the same parts as
 * the token service's (`isCurrent`, `liveParties`, `readClaims`, `mergePolicies`, `activeAnswer`), for a
 * caller allowed to see the token: a resource server of its tenant with the introspection permission.
 * A deployment's `introspectionPolicy` hook and a caller's scope filter are the endpoint's per-caller
 * narrowing and are not applied here.
 */
import type { IntrospectionAnswer } from '../../introspection/types.ts';
import type { StoredToken } from '../model.ts';
import type { IdpStore } from '../store/types.ts';
import { mergePolicies } from '../tokens/access-policies.ts';
import { activeAnswer, inactiveAnswer } from '../tokens/introspection-answer.ts';
import { readClaims } from '../tokens/stored-claims.ts';
import { isCurrent, liveParties } from '../tokens/token-state.ts';

/** The answer for `record` at `now` (epoch seconds). */
export async function answerForRecord(
  store: IdpStore,
  record: StoredToken,
  now: number,
): Promise<IntrospectionAnswer> {
  if (!isCurrent(record, now)) return inactiveAnswer();
  const parties = await liveParties(store, record);
  if (!parties) return inactiveAnswer();
  const claims = readClaims(record);
  const subject = parties.user ?? parties.client;
  const policies =
    record.kind === 'access' ? mergePolicies(claims.policies, subject.introspectionPolicies) : [];
  // No token string to guard against: the record's id is never echoed for opaque tokens (activeAnswer).
  return activeAnswer({ token: '', record, claims, policies });
}
