/**
 * @module token/types
 * What the pipeline needs to know of a request: adapters translate their framework's request into this.
 */

export interface RequestLike {
  /** Header map with lower-case names (node:http `IncomingHttpHeaders`). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Request target (path and query), for the query-parameter source. */
  readonly url?: string;
  /** Parsed form body, when the framework parsed one (for the body source). */
  readonly body?: unknown;
}

export type TokenSourceKind = 'header' | 'query' | 'cookie' | 'body';

export interface ExtractedToken {
  readonly token: string;
  readonly source: TokenSourceKind;
}
