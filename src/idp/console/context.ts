/**
 * @module idp/console/context
 * What a console page handler works with: its dependencies (`ConsoleDeps`, the IdP's services) and one
 * request of one signed-in administrator (`ConsoleContext`), with the helpers every page uses to answer:
 * render a page, redirect after a POST (303, RFC 9110 §15.4.4) with a one-time message, read the query.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../observability/logger.ts';
import type { IdpConfig } from '../config/schema.ts';
import type { KeyManager } from '../keys/key-manager.ts';
import type { User } from '../model.ts';
import type { IdpStore } from '../store/types.ts';
import type { TokenService } from '../tokens/types.ts';
import { type SafeHtml, sendRedirect } from '../web/html.ts';
import type { WebSession } from '../web/session.ts';
import { consolePage, type SectionId, sendConsolePage, type Viewer } from './layout.ts';
import type { LiveFigures } from './live-figures.ts';
import { type ConsolePath, consoleHref } from './paths.ts';
import type { Revocations } from './tokens.ts';

export interface ConsoleDeps {
  config: IdpConfig;
  store: IdpStore;
  /** The IdP's token service (not the counting one: the console's own work is not endpoint traffic). */
  tokens: TokenService;
  keys: KeyManager;
  logger: Logger;
  figures: LiveFigures;
  /** The server's base URL (issuer of the default tenant), known once it listens. */
  base: () => string;
  /** The IdP's revocation service (announces revocations); without it the store revokes directly. */
  revocations: Revocations | undefined;
  /** Epoch milliseconds. */
  now: () => number;
}

export interface ConsoleContext {
  request: IncomingMessage;
  response: ServerResponse;
  deps: ConsoleDeps;
  path: ConsolePath;
  query: URLSearchParams;
  /** `GET` (HEAD too) or `POST`. */
  method: 'GET' | 'POST';
  /** The POST form, CSRF-checked; empty for GET. */
  form: URLSearchParams;
  session: WebSession;
  /** The signed-in administrator, read afresh from the store on this request. */
  user: User;
  viewer: Viewer;
  /** Epoch seconds of this request. */
  now: number;
}

const FLASH = 'flash';

/** The one-time message left by the previous redirect, removed as it is read. */
export function takeFlash(context: ConsoleContext): string | undefined {
  const message = context.session.data[FLASH];
  delete context.session.data[FLASH];
  return typeof message === 'string' ? message : undefined;
}

/** Renders a page of `section` for the signed-in administrator. */
export function render(
  context: ConsoleContext,
  options: { title: string; body: SafeHtml; section?: SectionId; status?: number },
): void {
  const document = consolePage({
    title: options.title,
    body: options.body,
    tenant: context.path.tenant,
    viewer: context.viewer,
    section: options.section,
  });
  sendConsolePage(context.response, options.status ?? 200, document);
}

/** 303 to a console path of this tenant (`parts` are segments), leaving `flash` for the next page. */
export function redirectTo(
  context: ConsoleContext,
  parts: readonly string[],
  flash?: string,
  query = '',
): void {
  if (flash) context.session.data[FLASH] = flash;
  sendRedirect(context.response, `${consoleHref(context.path.tenant, ...parts)}${query}`);
}
