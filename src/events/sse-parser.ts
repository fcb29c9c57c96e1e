/**
 * @module events/sse-parser
 * An incremental parser of `text/event-stream` (WHATWG HTML §9.2.6, "Interpreting an event stream"): bytes
 * in, dispatched messages out, whatever the chunking. Lines end with CRLF, LF or CR (a CR at the end of one
 * chunk and an LF at the start of the next are one line end); `:` starts a comment (the IdP's heartbeats);
 * `event`, `data`, `id` and `retry` are the fields. As in a browser, `id` sets the last event id when its
 * message is dispatched, even a message without data, and an empty `id` clears it: that is how a server
 * hands a reconnecting client its position. Lines are bounded, so a hostile stream cannot grow memory.
 */
import { TokenguardError } from '../errors/tokenguard-error.ts';

export interface SseMessage {
  /** The `event` field; `message` when absent (§9.2.6). */
  event: string;
  /** The `data` lines joined with LF. */
  data: string;
  /** The last event id after this message (the stream's position). */
  lastEventId: string;
}

/** Default bound on one message's data plus one pending line, in characters. */
export const DEFAULT_MAX_MESSAGE_CHARS = 4 * 1024 * 1024;

export class SseParser {
  readonly #decoder = new TextDecoder('utf-8');
  readonly #maxChars: number;
  #pending = '';
  /** The previous chunk ended with CR: an LF starting the next one belongs to that line end. */
  #afterCr = false;
  #started = false;
  #event = '';
  #data = '';
  #hasData = false;
  #idBuffer: string;
  #lastEventId: string;
  #retryMs: number | undefined;

  /** `lastEventId`: the position the stream starts from (the Last-Event-ID sent, if any). */
  constructor(lastEventId = '', maxChars = DEFAULT_MAX_MESSAGE_CHARS) {
    this.#idBuffer = lastEventId;
    this.#lastEventId = lastEventId;
    this.#maxChars = maxChars;
  }

  /** The last event id dispatched so far. */
  get lastEventId(): string {
    return this.#lastEventId;
  }

  /** The server's `retry` advice, milliseconds, if it gave one. */
  get retryMs(): number | undefined {
    return this.#retryMs;
  }

  /** Feeds bytes; returns the messages they complete. Throws when a message exceeds the bound. */
  push(chunk: Uint8Array | string): SseMessage[] {
    let text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    if (!this.#started && text.length > 0) {
      this.#started = true;
      // §9.2.6: one leading U+FEFF BOM is ignored.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const messages: SseMessage[] = [];
    let start = 0;
    if (this.#afterCr && text.startsWith('\n')) start = 1;
    this.#afterCr = false;
    for (let index = start; index < text.length; index++) {
      const char = text.charCodeAt(index);
      if (char !== 0x0a && char !== 0x0d) continue;
      this.#line(this.#pending + text.slice(start, index), messages);
      this.#pending = '';
      if (char === 0x0d) {
        if (index + 1 < text.length) {
          if (text.charCodeAt(index + 1) === 0x0a) index++;
        } else {
          this.#afterCr = true;
        }
      }
      start = index + 1;
    }
    this.#pending += text.slice(start);
    if (this.#pending.length + this.#data.length > this.#maxChars) {
      throw new TokenguardError('serviceUnavailable', 'idp_bad_response', {
        detail: `an event of the stream exceeds ${this.#maxChars} characters`,
      });
    }
    return messages;
  }

  #line(line: string, messages: SseMessage[]): void {
    if (line === '') {
      this.#dispatch(messages);
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#event = value;
        break;
      case 'data':
        this.#data += this.#hasData ? `\n${value}` : value;
        this.#hasData = true;
        break;
      case 'id':
        if (!value.includes('\u0000')) this.#idBuffer = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.#retryMs = Number(value);
        break;
      default:
      // §9.2.6: any other field is ignored.
    }
  }

  #dispatch(messages: SseMessage[]): void {
    this.#lastEventId = this.#idBuffer;
    if (this.#hasData) {
      messages.push({ event: this.#event || 'message', data: this.#data, lastEventId: this.#lastEventId });
    }
    this.#event = '';
    this.#data = '';
    this.#hasData = false;
  }
}
