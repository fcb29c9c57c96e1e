/**
 * @module gateway/proxy/upgrade
 * WebSocket (and any HTTP/1.1 `Upgrade`, RFC 9110 §7.8) pass-through. The handshake goes upstream over a
 * connection of its own made by node:http/node:https (an upgraded connection never returns to a pool, and
 * a long-lived tunnel must not hold one of the pool's slots); node's client parses the answer, gives the
 * 101 with its raw header lines and the bytes already read past them, and also hands over a refusal
 * (a 401 or 404 in place of the 101) so that it can be relayed as the upstream wrote it. After the 101 the
 * proxy only splices bytes: both sockets piped into each other, with backpressure, closed together.
 */
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TokenguardError } from '../../errors/tokenguard-error.ts';
import { Attempts } from './attempts.ts';
import type { ProxyContext } from './context.ts';
import { isUpstreamFault, rawErrorResponse, transportError, upstreamTimeoutError } from './errors.ts';
import { rawResponseHeaderLines, upstreamRequestHeaders } from './headers.ts';
import { upstreamPath } from './path.ts';
import type { ForwardPlan, ProxyOutcome } from './types.ts';

/** Passes the Upgrade request `request` (with its taken-over `socket` and early bytes `head`) upstream. */
export function upgrade(
  context: ProxyContext,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  plan: ForwardPlan,
): Promise<ProxyOutcome> {
  return new Promise((resolve) => {
    new Handshake(new Attempts(context, request.method, plan, resolve), request, socket, head, plan).start();
  });
}

class Handshake {
  readonly #attempts: Attempts;
  readonly #request: IncomingMessage;
  readonly #socket: Duplex;
  readonly #head: Buffer;
  readonly #plan: ForwardPlan;
  #upstream: ClientRequest | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The TCP connection to the upstream was made: from here on, a failure is not retry-safe. */
  #connected = false;

  constructor(attempts: Attempts, request: IncomingMessage, socket: Duplex, head: Buffer, plan: ForwardPlan) {
    this.#attempts = attempts;
    this.#request = request;
    this.#socket = socket;
    this.#head = head;
    this.#plan = plan;
  }

  start(): void {
    this.#socket.on('error', this.#onClientClose);
    this.#socket.once('close', this.#onClientClose);
    this.#attempt();
  }

  #attempt(): void {
    const member = this.#attempts.next();
    if (member instanceof TokenguardError) {
      this.#fail(member);
      return;
    }
    this.#connected = false;
    const { spec, tls } = this.#attempts.context;
    const target = member.target;
    const headers = upstreamRequestHeaders(this.#request, this.#plan, {
      upstreamHost: target.host,
      preserveHost: spec.preserveHost,
      upgrade: true,
    });
    if (headers instanceof TokenguardError) {
      this.#fail(headers);
      return;
    }
    const options = {
      host: target.hostname,
      port: target.port,
      method: this.#request.method,
      path: upstreamPath(target.basePath, this.#request.url ?? '/', spec.stripPrefix),
      headers,
      agent: false as const,
    };
    const upstream = target.secure
      ? httpsRequest({
          ...options,
          ...tls,
          // SNI names the upstream, never a preserved client Host; none for an IP (RFC 6066 §3)
          servername: isIP(target.hostname) ? '' : target.hostname,
        })
      : httpRequest(options);
    this.#upstream = upstream;
    this.#arm('connect', spec.connectTimeoutMs);
    upstream.once('socket', (connection: Socket) => {
      connection.once('connect', () => {
        this.#connected = true;
        this.#arm('headers', spec.headersTimeoutMs);
      });
    });
    upstream.once('upgrade', this.#onUpgrade);
    upstream.once('response', this.#onRefusal);
    upstream.on('error', this.#onUpstreamError);
    upstream.end();
  }

  /** The upstream switched protocols: relay its 101, then splice the two sockets. */
  readonly #onUpgrade = (response: IncomingMessage, connection: Duplex, upstreamHead: Buffer): void => {
    if (!this.#answered(response)) {
      connection.destroy();
      return;
    }
    const client = this.#socket;
    client.write(
      `HTTP/1.1 ${response.statusCode} ${response.statusMessage}\r\n` +
        `${rawResponseHeaderLines(response.rawHeaders, true)}\r\n`,
    );
    if (upstreamHead.length > 0) client.write(upstreamHead);
    if (this.#head.length > 0) connection.write(this.#head);
    this.#splice(client, connection);
    this.#settleRelayed(response);
  };

  /** The upstream answered without switching (401, 404, 426…): relay that answer and close. */
  readonly #onRefusal = (response: IncomingMessage): void => {
    if (!this.#answered(response)) {
      response.destroy();
      return;
    }
    const client = this.#socket;
    // node decoded any chunked framing: the body is sent as is and delimited by closing (RFC 9112 §6.3)
    client.write(
      `HTTP/1.1 ${response.statusCode} ${response.statusMessage}\r\n` +
        `${rawResponseHeaderLines(response.rawHeaders, false)}connection: close\r\n\r\n`,
    );
    response.pipe(client, { end: false });
    response.once('end', () => client.end(() => client.destroy()));
    response.once('error', () => client.destroy());
    this.#settleRelayed(response);
  };

  /** The upstream answered: it is healthy. Whether the client is still there to be answered. */
  #answered(response: IncomingMessage): boolean {
    this.#disarm();
    const attempts = this.#attempts;
    attempts.context.balancer.succeeded(attempts.member!);
    if (attempts.settled || this.#socket.destroyed) {
      attempts.settle(attempts.clientClosed(response.statusCode));
      return false;
    }
    return true;
  }

  #settleRelayed(response: IncomingMessage): void {
    this.#attempts.settle({
      kind: 'proxied',
      upstream: this.#attempts.upstream!,
      status: response.statusCode!,
    });
  }

  readonly #onUpstreamError = (error: Error): void => {
    this.#disarm();
    const attempts = this.#attempts;
    if (attempts.settled) return;
    if (this.#socket.destroyed) {
      attempts.settle(attempts.clientClosed());
      return;
    }
    const failure = error instanceof TokenguardError ? error : transportError(error, attempts.upstream!);
    attempts.failed(failure);
    if (!this.#connected && isUpstreamFault(failure)) {
      // nothing was sent: another URL may take the handshake
      attempts.failOver(failure);
      this.#attempt();
      return;
    }
    this.#fail(failure);
  };

  readonly #onClientClose = (): void => {
    if (this.#attempts.settled) return;
    this.#disarm();
    this.#upstream?.destroy();
    this.#attempts.settle(this.#attempts.clientClosed());
  };

  /** Answers `failure` as raw bytes on the taken-over socket, then closes it. */
  #fail(failure: TokenguardError): void {
    this.#attempts.log(failure, 'upstream upgrade failed');
    const socket = this.#socket;
    if (!socket.destroyed) {
      socket.end(rawErrorResponse(failure, this.#attempts.context.style), () => socket.destroy());
    }
    this.#attempts.settle(this.#attempts.failure(failure));
  }

  /**
   * Pipes both ways. When either side ends, the other is ended once what was written to it is flushed,
   * and both are destroyed: a tunnel is closed by either end, never left half-open. When either side
   * closes or fails, both are destroyed at once.
   */
  #splice(client: Duplex, connection: Duplex): void {
    for (const side of [client, connection] as (Duplex & Partial<Socket>)[]) {
      side.setTimeout?.(0);
      side.setNoDelay?.(true);
    }
    client.off('error', this.#onClientClose);
    client.off('close', this.#onClientClose);
    const tunnels = this.#attempts.context.tunnels;
    const tunnel = {
      destroy: () => {
        tunnels.delete(tunnel);
        client.destroy();
        connection.destroy();
      },
    };
    tunnels.add(tunnel);
    for (const [from, to] of [
      [client, connection],
      [connection, client],
    ]) {
      from.on('error', tunnel.destroy).once('close', tunnel.destroy);
      from.once('end', () => to.end(tunnel.destroy));
      from.pipe(to, { end: false });
    }
  }

  #arm(phase: 'connect' | 'headers', ms: number): void {
    this.#disarm();
    this.#timer = setTimeout(() => this.#upstream?.destroy(upstreamTimeoutError(phase, ms)), ms);
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
