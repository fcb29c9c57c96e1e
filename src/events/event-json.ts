/**
 * @module events/event-json
 * A `RevocationEvent` as JSON, the form it takes on Redis pub/sub. Reading is strict: a message that is not
 * a well-formed event (another application on the channel, a newer IdP, a truncated message) is refused as
 * a whole, and the subscriber treats it as a missed event (it flushes) rather than guessing.
 */
import { z } from 'zod';
import type { RevocationEvent } from './types.ts';

/** Upper bound on the token digests or jtis one event may carry (the IdP sends far fewer). */
export const MAX_TOKENS_PER_EVENT = 100_000;

const text = z.string().min(1).max(2048);
const list = z.array(text).max(MAX_TOKENS_PER_EVENT);

const eventSchema = z.object({
  // Visible ASCII only: the id becomes an SSE `id:` line, where a line break would inject fields.
  id: z.string().regex(/^[\x21-\x7e]{1,256}$/),
  issuer: text,
  tenant: text,
  at: z.number().int().nonnegative(),
  scope: z.enum(['token', 'family', 'client', 'subject']),
  tokenHashes: list,
  jtis: list,
  subject: text.optional(),
  clientId: text.optional(),
  familyId: text.optional(),
});

/** The event as the JSON text published on Redis. */
export function serializeRevocationEvent(event: RevocationEvent): string {
  return JSON.stringify(event);
}

/** The event in `value` (parsed JSON), or undefined when it is not one. Unknown members are dropped. */
export function readRevocationEvent(value: unknown): RevocationEvent | undefined {
  const parsed = eventSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const event = parsed.data;
  // `client` and `subject` scopes say whose tokens: an event of these scopes without its key is unusable.
  if (event.scope === 'client' && event.clientId === undefined) return undefined;
  if (event.scope === 'subject' && event.subject === undefined) return undefined;
  return event;
}

/** The event in a JSON text, or undefined when the text is not JSON or not an event. */
export function parseRevocationEvent(json: string): RevocationEvent | undefined {
  try {
    return readRevocationEvent(JSON.parse(json));
  } catch {
    return undefined;
  }
}
