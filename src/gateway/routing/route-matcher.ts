/**
 * @module gateway/routing/route-matcher
 * Whether a request belongs to a route: its host (the `Host` header without port, `*` wildcards from
 * `util/glob`), its normalized path and its method. Routes are tried in configuration order and the first
 * that matches wins, so a catch-all goes last.
 */
import { compileGlobs } from '../../util/glob.ts';
import type { MatchConfig } from '../config/schema.ts';
import { compilePathMatcher } from './path-pattern.ts';

export interface MatchInput {
  readonly method: string;
  /** Host name, lower-case, without port. */
  readonly host: string;
  /** Normalized path (see `request-target`). */
  readonly path: string;
}

export type RouteMatcher = (input: MatchInput) => boolean;

/** The host name of a `Host` header value: lower-case, port and IPv6 brackets removed. */
export function hostName(header: string | undefined): string {
  if (!header) return '';
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end < 0 ? value : value.slice(1, end);
  }
  const colon = value.indexOf(':');
  return colon < 0 ? value : value.slice(0, colon);
}

export function compileRouteMatcher(match: MatchConfig): RouteMatcher {
  const hosts = match.hosts.length ? compileGlobs(match.hosts) : undefined;
  const methods = match.methods.length ? new Set(match.methods) : undefined;
  const path = compilePathMatcher(match);
  return (input) =>
    (methods === undefined || methods.has(input.method)) &&
    (hosts === undefined || hosts(input.host)) &&
    path(input.path);
}
