/**
 * @module test/events/support/sse
 * A raw client of the revocation event stream for tests: opens `GET …/events/revocations` with the given
 * headers, parses the stream with the library's parser, and lets a test await the next message.
 */
import { request } from 'undici';
import { type SseMessage, SseParser } from '../../../src/events/sse-parser.ts';
import { eventually } from './eventually.ts';

export interface OpenStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body of a refused stream (an error document). */
  body: string;
  messages: SseMessage[];
  /** The stream's position so far (set by id-only messages too). */
  lastEventId(): string;
  next(): Promise<SseMessage>;
  close(): void;
}

export async function openStream(url: string, headers: Record<string, string>): Promise<OpenStream> {
  const abort = new AbortController();
  const response = await request(url, { method: 'GET', headers, signal: abort.signal });
  const messages: SseMessage[] = [];
  const parser = new SseParser(headers['last-event-id'] ?? '');
  let read = 0;
  let body = '';
  if (response.statusCode === 200) {
    (async () => {
      for await (const chunk of response.body) messages.push(...parser.push(chunk as Buffer));
    })().catch(() => {});
  } else {
    body = await response.body.text();
  }
  return {
    status: response.statusCode,
    headers: response.headers,
    body,
    messages,
    lastEventId: () => parser.lastEventId,
    next: async () => {
      const message = await eventually(`stream message #${read + 1}`, () => messages[read]);
      read++;
      return message;
    },
    close: () => abort.abort(),
  };
}
