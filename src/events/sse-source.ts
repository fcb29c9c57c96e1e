/**
 * @module events/sse-source
 * Revocation events from the IdP's Server-Sent Events stream (`GET <issuer>/events/revocations`,
 * `text/event-stream`). Each message is a signed SET (`events/set`), verified before it counts.
 *
 * Position: the stream's last event id (the `id` of the last message, or the position the IdP hands out
 * when the stream opens) is sent back as `Last-Event-ID` on every reconnection (WHATWG HTML §9.2.4), and
 * the IdP replays what we missed from its buffer; when it cannot, its first message is `event: reset`.
 * Liveness: the IdP sends a comment every 15 s, so a stream silent for `idleTimeoutMs` is dead and is
 * re-opened. Every failure (refused credentials, IdP down, a cut stream) is reported to the listener and
 * retried after the back-off; an answer that is not 200 `text/event-stream` is a failure too.
 */
import { Agent, request } from 'undici';
import { serviceUnavailable } from '../errors/tokenguard-error.ts';
import { USER_AGENT } from '../util/http-client.ts';
import type { Backoff } from './backoff.ts';
import type { RevocationSource, SourceListener } from './source.ts';
import { SseParser } from './sse-parser.ts';
import type { RevocationEvent } from './types.ts';

export interface SseSourceOptions {
  /** The stream URL, resolved on each connection (discovery may move it). */
  url: () => Promise<string>;
  /** `Authorization` header value (Basic client credentials or a Bearer token). */
  authorization: string;
  /** Re-open the stream after this long without a byte, ms. */
  idleTimeoutMs: number;
  backoff: Backoff;
  /** Verifies one SET and reads its event; rejects or resolves undefined when it is not a valid one. */
  verify: (set: string) => Promise<RevocationEvent | undefined>;
  listener: SourceListener;
}

/** A non-200 or non-event-stream answer: the reason is in the message, never a body. */
function refused(status: number, contentType: string | undefined): Error {
  const what = status === 200 ? `content-type ${contentType ?? 'none'}` : `HTTP ${status}`;
  return serviceUnavailable('idp_bad_response', `the revocation event stream answered ${what}`);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

export class SseRevocationSource implements RevocationSource {
  readonly #options: SseSourceOptions;
  readonly #abort = new AbortController();
  readonly #agent = new Agent({ connections: 1, keepAliveTimeout: 1000 });
  #lastEventId = '';
  #running: Promise<void> | undefined;

  constructor(options: SseSourceOptions) {
    this.#options = options;
  }

  /** The stream's position: what the next connection sends as `Last-Event-ID`. */
  get lastEventId(): string {
    return this.#lastEventId;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  async #run(): Promise<void> {
    const { signal } = this.#abort;
    while (!signal.aborted) {
      try {
        await this.#stream(signal);
        if (signal.aborted) break;
        this.#options.listener.down(new Error('the IdP ended the revocation event stream'));
      } catch (error) {
        if (signal.aborted) break;
        this.#options.listener.down(error);
      }
      await sleep(this.#options.backoff.next(), signal);
    }
  }

  /** One connection: resolves when the IdP ends the stream, rejects on any failure. */
  async #stream(signal: AbortSignal): Promise<void> {
    const { idleTimeoutMs, listener } = this.#options;
    const url = await this.#options.url();
    const position = this.#lastEventId;
    const { statusCode, headers, body } = await request(url, {
      dispatcher: this.#agent,
      method: 'GET',
      headers: {
        accept: 'text/event-stream',
        'cache-control': 'no-store',
        'user-agent': USER_AGENT,
        authorization: this.#options.authorization,
        ...(position ? { 'last-event-id': position } : {}),
      },
      headersTimeout: idleTimeoutMs,
      // undici's body timeout is the longest pause between two chunks: exactly the idle rule.
      bodyTimeout: idleTimeoutMs,
      signal,
    });
    const contentType = headers['content-type'] as string | undefined;
    if (statusCode !== 200 || !contentType?.toLowerCase().startsWith('text/event-stream')) {
      await body.dump();
      throw refused(statusCode, contentType);
    }
    this.#options.backoff.reset();
    listener.live(position !== '');
    const parser = new SseParser(position);
    for await (const chunk of body) {
      for (const message of parser.push(chunk as Buffer)) {
        if (message.event === 'reset') {
          listener.reset();
        } else if (message.event === 'message') {
          // Sequential on purpose: events are applied in the order the IdP sent them.
          const { event, problem } = await this.#verified(message.data);
          listener.event(event, problem);
        }
        // Other event types are a newer IdP's; ignoring them is what §9.2.6 does too.
        this.#lastEventId = message.lastEventId;
      }
      // A message with only an `id` (the position handed out on connect) dispatches nothing but moves it.
      this.#lastEventId = parser.lastEventId;
    }
  }

  async #verified(set: string): Promise<{ event?: RevocationEvent; problem?: string }> {
    try {
      const event = await this.#options.verify(set);
      return event ? { event } : { problem: 'the SET carries no revocation event' };
    } catch (error) {
      return { problem: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.#running;
    await this.#agent.close();
  }
}
