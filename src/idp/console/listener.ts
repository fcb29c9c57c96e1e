/**
 * @module idp/console/listener
 * Mounting the console on the IdP's HTTP server: console paths (`/console/…`, `/t/<tenant>/console/…`)
 * go to the console, everything else to the next listener (the protocol endpoints' router). The console's
 * paths never collide with an endpoint's: no profile has a `console` segment.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Console } from './app.ts';
import { matchConsolePath } from './paths.ts';

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

/** `next`, with console paths answered by `console` first. */
export function withConsole(console: Console, next: Listener): Listener {
  return (request, response) => {
    const target = request.url ?? '';
    const question = target.indexOf('?');
    const path = matchConsolePath(question === -1 ? target : target.slice(0, question));
    if (path) void console.handle(request, response, path);
    else next(request, response);
  };
}
