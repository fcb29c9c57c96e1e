/**
 * @module idp/tokens/access-policies
 * The go-authkit access policies an introspection answer carries: those written into the token, plus the
 * subject's introspection-time policies (seed 000's admin2 gets `{rn:"my_service",role:"admin"}` only at
 * introspection), narrowed by the caller's scope filter.
 */
import type { AccessPolicy } from '../model.ts';

const MEMBERS = ['tid', 'tuid', 'rs', 'rn', 'rp', 'role'] as const;

/** Identity of a policy: its members in a fixed order, so `{rn,role}` and `{role,rn}` are one policy. */
const identity = (policy: AccessPolicy) => JSON.stringify(MEMBERS.map((member) => policy[member] ?? null));

/** The union of the lists, first occurrence kept, order preserved. */
export function mergePolicies(...lists: readonly (readonly AccessPolicy[])[]): AccessPolicy[] {
  const seen = new Set<string>();
  const merged: AccessPolicy[] = [];
  for (const policy of lists.flat()) {
    const id = identity(policy);
    if (seen.has(id)) continue;
    seen.add(id);
    merged.push({ ...policy });
  }
  return merged;
}

/**
 * go-authkit's scope filter (`scope_filter[i].rn`): keep only policies of the listed resource namespaces,
 * compared exactly as go-authkit does. No filter, or an empty one, keeps everything.
 */
export function filterPolicies(
  policies: readonly AccessPolicy[],
  namespaces: readonly string[] | undefined,
): AccessPolicy[] {
  if (!namespaces?.length) return [...policies];
  const kept = new Set(namespaces);
  return policies.filter((policy) => policy.rn !== undefined && kept.has(policy.rn));
}
