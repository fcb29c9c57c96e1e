/**
 * @module gateway/proxy/forward
 * One HTTP exchange through the proxy, as an undici dispatch handler: the client's request body is the
 * upstream request body (undici reads it and pauses it while the upstream socket is full), the upstream's
 * response body is written chunk by chunk into the client's response (the upstream read is paused while
 * the client socket is full), so neither body is held in memory. `dispatch` rather than `request()` or
 * `stream()`: it sees the moment the request starts on a socket, which tells a retry-safe failure (nothing
 * sent) from one that is not, and the raw status text and header bytes of the answer.
 *
 * The request body goes to undici as an async iterator that does not destroy the client's request when
 * undici stops reading it (an upstream that answers 401 or 413 before reading the upload, a failure
 * mid-upload): destroying an unfinished `IncomingMessage` destroys the client's socket, and the answer
 * with it.
 *
 * Timeouts: connect and response-body idle are undici's (`connect.timeout`, `bodyTimeout`). Response
 * headers: the engine's own timer, started when the request goes out on a socket and restarted at every
 * uploaded chunk, so it fires when neither the upload nor the upstream made progress for
 * `headersTimeoutMs`. undici's `headersTimeout` would count a slow client's whole upload against it (a
 * 200 MB upload over a slow link would become a 504), and its coarse timers (±0.5 s) blur short limits.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { TokenguardError } from '../../errors/tokenguard-error.ts';
import { Attempts } from './attempts.ts';
import type { ProxyContext } from './context.ts';
import {
  failureReason,
  isUpstreamFault,
  transportError,
  upstreamTimeoutError,
  writeError,
} from './errors.ts';
import { stripResponseHeaders, upstreamRequestHeaders } from './headers.ts';
import { upstreamPath } from './path.ts';
import type { ForwardPlan, ProxyOutcome } from './types.ts';

/** Whether the request carries a body (RFC 9112 §6.3: framed by Transfer-Encoding or a non-zero length). */
export function hasRequestBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}

/** Forwards `request` to one of the context's upstream URLs and streams the answer into `response`. */
export function forward(
  context: ProxyContext,
  request: IncomingMessage,
  response: ServerResponse,
  plan: ForwardPlan,
): Promise<ProxyOutcome> {
  return new Promise((resolve) => {
    new Exchange(new Attempts(context, request.method, plan, resolve), request, response, plan).start();
  });
}

const CLIENT_CLOSED = 'TG_CLIENT_CLOSED';

class Exchange implements Dispatcher.DispatchHandler {
  readonly #attempts: Attempts;
  readonly #request: IncomingMessage;
  readonly #response: ServerResponse;
  readonly #plan: ForwardPlan;
  readonly #hasBody: boolean;
  #controller: Dispatcher.DispatchController | undefined;
  /** The request started on an upstream socket: from here on, a failure is not retry-safe. */
  #sent = false;
  /** The upstream's status, once relayed to the client. */
  #status = 0;
  #paused = false;
  #clientClosed = false;
  #watchdog: NodeJS.Timeout | undefined;

  constructor(attempts: Attempts, request: IncomingMessage, response: ServerResponse, plan: ForwardPlan) {
    this.#attempts = attempts;
    this.#request = request;
    this.#response = response;
    this.#plan = plan;
    this.#hasBody = hasRequestBody(request.headers);
  }

  start(): void {
    this.#response.on('close', this.#onClientClose);
    this.#attempt();
  }

  #attempt(): void {
    const attempts = this.#attempts;
    if (this.#clientGone()) {
      attempts.settle(attempts.clientClosed());
      return;
    }
    const member = attempts.next();
    if (member instanceof TokenguardError) {
      // every URL failed before anything was sent: the last failure answers
      this.#fail(member);
      return;
    }
    this.#sent = false;
    this.#controller = undefined;
    const { spec } = attempts.context;
    const target = member.target;
    const headers = upstreamRequestHeaders(this.#request, this.#plan, {
      upstreamHost: target.host,
      preserveHost: spec.preserveHost,
      upgrade: false,
    });
    if (headers instanceof TokenguardError) {
      this.#fail(headers);
      return;
    }
    target.pool.dispatch(
      {
        path: upstreamPath(target.basePath, this.#request.url ?? '/', spec.stripPrefix),
        method: this.#request.method as Dispatcher.HttpMethod,
        headers,
        // undici takes an AsyncIterable body (docs/api/Dispatcher.md); its typings list only Readable
        body: this.#hasBody ? (this.#upload() as unknown as Readable) : null,
      },
      this,
    );
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    this.#sent = true;
    if (this.#clientClosed) {
      controller.abort(clientClosedError());
      return;
    }
    this.#watch();
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    // 1xx interim answers (103 Early Hints) are not relayed: the final one follows on the same exchange
    if (statusCode < 200) return;
    this.#unwatch();
    this.#attempts.context.balancer.succeeded(this.#attempts.member!);
    const kept = stripResponseHeaders(headers);
    try {
      this.#response.writeHead(statusCode, statusMessage || undefined, kept);
    } catch (error) {
      // a header node refuses to write (RFC 9110 §5.5 characters): the answer is unusable, not relayed
      for (const name in kept) this.#response.removeHeader(name);
      controller.abort(
        new TokenguardError('upstreamUnavailable', 'upstream_bad_response', {
          detail: `unwritable response header (${(error as Error).message})`,
          cause: error,
        }),
      );
      return;
    }
    this.#status = statusCode;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.#response.write(chunk) && !this.#paused) {
      // backpressure: stop reading the upstream until the client has taken what was written
      this.#paused = true;
      controller.pause();
      this.#response.once('drain', this.#onDrain);
    }
  }

  onResponseEnd(): void {
    this.#response.end();
    this.#attempts.settle({ kind: 'proxied', upstream: this.#attempts.upstream!, status: this.#status });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.#unwatch();
    if (this.#paused) this.#response.off('drain', this.#onDrain);
    const attempts = this.#attempts;
    if (this.#clientGone()) {
      this.#response.destroy();
      attempts.settle(attempts.clientClosed(this.#status));
      return;
    }
    const failure = error instanceof TokenguardError ? error : transportError(error, attempts.upstream!);
    attempts.failed(failure);
    if (!this.#sent && !this.#hasBody && isUpstreamFault(failure)) {
      // nothing reached the upstream and there is no body to replay: another URL may answer. Deferred,
      // so that undici finishes failing this request before another starts (two URLs may share a pool).
      attempts.failOver(failure);
      queueMicrotask(() => this.#attempt());
      return;
    }
    if (this.#status) {
      attempts.log(failure, 'upstream response cut');
      this.#response.destroy();
      attempts.settle(attempts.cut(this.#status, failureReason(failure)));
      return;
    }
    this.#fail(failure);
  }

  /** Answers `failure` (502/504) to the client and settles. */
  #fail(failure: TokenguardError): void {
    this.#attempts.log(failure, 'upstream request failed');
    writeError(this.#response, failure, this.#attempts.context.style);
    this.#attempts.settle(this.#attempts.failure(failure));
  }

  #clientGone(): boolean {
    return (
      this.#clientClosed || this.#response.destroyed || (this.#request.destroyed && !this.#request.complete)
    );
  }

  readonly #onClientClose = (): void => {
    if (this.#attempts.settled || this.#response.writableFinished) return;
    this.#clientClosed = true;
    // not yet on a socket: onRequestStart aborts when it comes (or the connect failure settles)
    this.#controller?.abort(clientClosedError());
  };

  readonly #onDrain = (): void => {
    this.#paused = false;
    this.#controller?.resume();
  };

  /** The client's body for undici: read chunk by chunk, each one restarting the headers watchdog. */
  async *#upload(): AsyncGenerator<Buffer> {
    for await (const chunk of this.#request.iterator({ destroyOnReturn: false })) {
      this.#watchdog?.refresh();
      yield chunk as Buffer;
    }
    this.#watchdog?.refresh();
  }

  /** Starts the response-headers watchdog. */
  #watch(): void {
    const ms = this.#attempts.context.spec.headersTimeoutMs;
    this.#watchdog = setTimeout(() => this.#controller?.abort(upstreamTimeoutError('headers', ms)), ms);
    this.#watchdog.unref();
  }

  #unwatch(): void {
    if (this.#watchdog === undefined) return;
    clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
  }
}

function clientClosedError(): Error {
  return Object.assign(new Error('client closed the connection'), { code: CLIENT_CLOSED });
}
