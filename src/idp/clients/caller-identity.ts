/**
 * @module idp/clients/caller-identity
 * Names of an authenticated caller: the key of its rate-limit bucket, the `aud` of an RFC 9701 signed
 * introspection answer meant for it (§5: "the identifier of the resource server that made the request",
 * typically its client_id), and the label of log lines. None of them contains a secret.
 */
import type { Caller } from '../tokens/types.ts';

/** A stable, tenant-qualified identity of the caller. */
export function callerKey(caller: Caller): string {
  switch (caller.kind) {
    case 'client':
      return `client:${caller.client.tenant}/${caller.client.clientId}`;
    case 'user':
      return `user:${caller.user.tenant}/${caller.user.username}`;
    case 'bearer':
      return `client:${caller.token.tenant}/${caller.token.clientId}`;
    case 'static':
      return `static:${caller.tenant}/${caller.name}`;
  }
}

/** The identifier an answer addressed to the caller names as its audience. */
export function callerAudience(caller: Caller): string {
  switch (caller.kind) {
    case 'client':
      return caller.client.clientId;
    case 'user':
      return caller.user.username;
    case 'bearer':
      return caller.token.clientId;
    case 'static':
      return caller.name;
  }
}
