/**
 * @module idp/events/stream-endpoint
 * `GET <issuer>/events/revocations`: the revocation events of one tenant as Server-Sent Events (WHATWG HTML
 * §9.2), each a SET signed with the tenant's key (`sign-set`): `id: <event id>`, `data: <SET>`.
 *
 * - Who: the callers of the introspection endpoint (RFC 7662 §2.1) that may read every token of the tenant:
 *   a client with `canIntrospect`, a static token of the tenant, a bearer access token of such a client, a
 *   WSO2 user with the introspection permission. Unauthenticated → 401 with the same challenge as
 *   introspection; authenticated without the permission → 403 `access_denied`. Rate-limited per caller like
 *   introspection (a reconnect loop is throttled), and at most `maxStreams` streams (503 + Retry-After).
 * - Position: `Last-Event-ID` (§9.2.4) replays the events buffered after it; a position the hub cannot
 *   continue from makes the first message `event: reset` (its `id` the newest position, or empty). A stream
 *   opened without a position is handed the newest one (`id:` alone dispatches no event), so even a consumer
 *   that has seen no event yet can resume without a reset.
 * - Liveness: a comment line every `heartbeatMs` keeps proxies from timing the stream out and tells the
 *   consumer it is alive. A consumer too slow to read (more than `MAX_BUFFERED_BYTES` queued) is cut off: it
 *   reconnects with its position and gets the rest by replay, instead of the IdP buffering without bound.
 * - Order: replayed events, then live ones, each signed before the next is written. An event that cannot be
 *   signed (keys unavailable) ends the stream, so the consumer resumes from the last event it really got.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { oauthError } from '../../errors/tokenguard-error.ts';
import { RESET_EVENT } from '../../events/stream-protocol.ts';
import type { RevocationEvent } from '../../events/types.ts';
import type { Logger } from '../../observability/logger.ts';
import { callerAudience, callerKey } from '../clients/caller-identity.ts';
import { errorResponse, isProtocolError } from '../endpoints/respond.ts';
import { peerOf, write } from '../endpoints/router.ts';
import type { IdpServices } from '../endpoints/types.ts';
import { endpointUrls, realmOf } from '../tenants/profiles.ts';
import { callerTenant } from '../tokens/caller-policy.ts';
import type { Caller, Realm } from '../tokens/types.ts';
import type { HubListener, RevocationHub } from './hub.ts';
import type { SetSigner } from './sign-set.ts';
import { matchStreamRoute, type StreamRoute, streamUrl } from './stream-route.ts';

export interface RevocationStreamOptions {
  hub: RevocationHub;
  signer: SetSigner;
  heartbeatMs: number;
  maxStreams: number;
}

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

/** Bytes a stream may have queued for a slow consumer before it is cut off. */
const MAX_BUFFERED_BYTES = 1 << 20;

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  // nginx buffers proxied answers unless told not to; an event stream must pass through at once.
  'x-accel-buffering': 'no',
} as const;

/** Callers allowed to read every revocation of `tenant` (those that may introspect every token of it). */
function mayListen(caller: Caller, tenant: string): boolean {
  if (callerTenant(caller) !== tenant) return false;
  switch (caller.kind) {
    case 'static':
      return true;
    case 'client':
      return caller.client.canIntrospect && !caller.client.disabled;
    case 'bearer':
      return caller.client?.canIntrospect === true && !caller.client.disabled;
    case 'user':
      return caller.user.canIntrospect && !caller.user.disabled;
  }
}

/** One open stream: writes events in order, signing each first. */
class StreamConnection implements HubListener {
  readonly #response: ServerResponse;
  readonly #signer: SetSigner;
  readonly #issuer: string;
  readonly #audience: string;
  readonly #logger: Logger;
  readonly #position: () => string;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    response: ServerResponse,
    signer: SetSigner,
    realm: Realm,
    audience: string,
    logger: Logger,
    position: () => string,
  ) {
    this.#response = response;
    this.#signer = signer;
    this.#issuer = realm.issuer;
    this.#audience = audience;
    this.#logger = logger;
    this.#position = position;
  }

  event(event: RevocationEvent): void {
    this.#then(async () => {
      const set = await this.#signer.sign(event, this.#issuer, this.#audience);
      this.write(`id: ${event.id}\ndata: ${set}\n\n`);
    });
  }

  reset(): void {
    // The position is read when the reset is written, so it is the newest one at that moment.
    this.#then(async () => {
      this.write(`event: ${RESET_EVENT}\nid: ${this.#position()}\ndata: {"reason":"events_missed"}\n\n`);
    });
  }

  /** Hands the consumer a position without an event (`id` alone, WHATWG HTML §9.2.6). */
  position(id: string): void {
    this.#then(async () => this.write(`id: ${id}\n\n`));
  }

  write(text: string): void {
    const response = this.#response;
    if (response.destroyed || response.writableEnded) return;
    response.write(text);
    if (response.writableLength > MAX_BUFFERED_BYTES) {
      this.#logger.info('revocation stream consumer too slow: stream closed');
      response.destroy();
    }
  }

  #then(work: () => Promise<void>): void {
    this.#chain = this.#chain.then(work).catch((error: unknown) => {
      this.#logger.warn({ err: (error as Error).message }, 'revocation event not signed: stream closed');
      this.#response.destroy();
    });
  }
}

export class RevocationStream {
  readonly #options: RevocationStreamOptions;
  readonly #open = new Set<ServerResponse>();

  constructor(options: RevocationStreamOptions) {
    this.#options = options;
  }

  /** `next`, with the stream's paths answered here first (as the console mounts its own). */
  mount(next: Listener, services: IdpServices, base: () => string): Listener {
    return (request, response) => {
      const target = request.url ?? '';
      const question = target.indexOf('?');
      const route = matchStreamRoute(
        question === -1 ? target : target.slice(0, question),
        services.config.profiles,
      );
      if (!route) {
        next(request, response);
        return;
      }
      this.#serve(request, response, route, services, base()).catch((error: unknown) => {
        if (!isProtocolError(error)) services.logger.error({ err: error }, 'revocation stream failed');
        if (response.headersSent) response.destroy();
        else write(request, response, errorResponse(error, base()));
      });
    };
  }

  /** Ends every open stream (the server is closing). */
  close(): void {
    for (const response of this.#open) response.destroy();
    this.#open.clear();
  }

  async #serve(
    request: IncomingMessage,
    response: ServerResponse,
    route: StreamRoute,
    services: IdpServices,
    base: string,
  ): Promise<void> {
    if (request.method !== 'GET') {
      throw oauthError('method_not_allowed', 'Use GET.', { headers: { allow: 'GET' } });
    }
    if (!(await services.store.tenants.get(route.tenant))) throw oauthError('not_found', 'Not found.');
    const realm = realmOf(route, base);
    // Accepted `aud` of a client assertion (RFC 7523 §3), as at the other endpoints: the issuer (added by
    // the caller authentication), this endpoint, the token endpoint.
    const urls = [
      streamUrl(route.profile, base, route.tenant),
      endpointUrls(route.profile, base, route.tenant).token,
    ];
    const caller = await services.callers.authenticate(
      {
        realm,
        authorization: request.headers.authorization,
        form: new Map(),
        peer: peerOf(request),
        endpointUrls: urls.filter((url): url is string => url !== undefined),
      },
      { bearer: true, users: true },
    );
    if (!mayListen(caller, route.tenant)) {
      throw oauthError('access_denied', 'The caller may not read the revocation events of this tenant.', {
        status: 403,
      });
    }
    services.rateLimiter.take(callerKey(caller));
    const { hub, signer, heartbeatMs, maxStreams } = this.#options;
    if (this.#open.size >= maxStreams) {
      throw oauthError('server_error', 'Too many revocation event streams.', {
        status: 503,
        headers: { 'retry-after': '5' },
      });
    }
    const lastEventId = headerValue(request.headers['last-event-id']);
    const logger = services.logger.child({ tenant: route.tenant, caller: callerKey(caller) });
    const connection = new StreamConnection(response, signer, realm, callerAudience(caller), logger, () =>
      hub.position(route.tenant),
    );

    response.writeHead(200, STREAM_HEADERS);
    // A comment first: the headers leave now, and the consumer knows the stream is open.
    response.write(': revocation events\n\n');
    // Listening and reading the replay happen in one synchronous step: no event can fall between them.
    const unlisten = hub.listen(route.tenant, connection);
    if (lastEventId) {
      const missed = hub.since(route.tenant, lastEventId);
      if (missed === undefined) connection.reset();
      else for (const event of missed) connection.event(event);
    } else {
      const position = hub.position(route.tenant);
      if (position) connection.position(position);
    }
    this.#open.add(response);
    const heartbeat = setInterval(() => connection.write(':\n\n'), heartbeatMs);
    heartbeat.unref();
    logger.info({ resumed: lastEventId !== '' }, 'revocation stream opened');
    response.once('close', () => {
      clearInterval(heartbeat);
      unlisten();
      this.#open.delete(response);
      logger.info('revocation stream closed');
    });
  }
}

/** The single value of a header, '' when absent. */
function headerValue(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}
