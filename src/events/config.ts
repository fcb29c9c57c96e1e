/**
 * @module events/config
 * The configuration of a revocation-event subscriber, as a schema fragment other sections embed (the
 * gateway's, a service's): where events come from (`source`), how to reach it, and the reconnection
 * back-off. Every key has a default and a description; a source missing what it needs is rejected at
 * start-up naming the key (`…revocationEvents.sse.issuer: required when source is sse`).
 */
import { z } from 'zod';
import { optionalRedisUrl } from '../cache/redis-client.ts';
import { duration } from '../config/duration-schema.ts';
import { configRejection } from '../config/rejection.ts';

/** The Redis channel the IdP publishes on by default (`idp.events.redis.channel`). */
export const DEFAULT_REVOCATION_CHANNEL = 'tokenguard:revocations';

function hasProtocol(value: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

const optionalUrl = (protocols: readonly string[], message: string) =>
  z
    .string()
    .default('')
    .refine((value) => value === '' || hasProtocol(value, protocols), message);

export const revocationEventsSchema = z
  .object({
    source: z
      .enum(['none', 'redis', 'sse'])
      .default('none')
      .describe(
        'Where revocation events come from: `redis` (pub/sub of the deployment), `sse` (the IdP’s event stream), or `none`.',
      ),
    issuers: z
      .array(z.string().min(1))
      .default([])
      .describe('Act only on events about tokens of these issuers; empty = every event received.'),
    redis: z
      .object({
        url: optionalRedisUrl().describe(
          'Redis URL (`redis://host:6379/0`, `rediss://` for TLS); required with source redis.',
        ),
        channel: z
          .string()
          .min(1)
          .default(DEFAULT_REVOCATION_CHANNEL)
          .describe('Pub/sub channel (the IdP’s idp.events.redis.channel).'),
      })
      .strict()
      .prefault({}),
    sse: z
      .object({
        issuer: optionalUrl(['http:', 'https:'], 'must be an http(s) URL').describe(
          'Issuer of the stream: its JWKS verifies the events (SETs), its metadata names the stream; required with source sse.',
        ),
        url: optionalUrl(['http:', 'https:'], 'must be an http(s) URL').describe(
          'Event stream URL; empty = `revocation_events_endpoint` of the issuer’s metadata.',
        ),
        clientId: z
          .string()
          .default('')
          .describe('Client id (HTTP Basic, with clientSecret); the client needs canIntrospect.'),
        clientSecret: z.string().default('').describe('Client secret of clientId.'),
        token: z.string().default('').describe('Static bearer token instead of client credentials.'),
        idleTimeout: duration('45s').describe(
          'Reconnect when the stream sends nothing (not even its 15 s heartbeat) for this long.',
        ),
      })
      .strict()
      .prefault({}),
    reconnect: z
      .object({
        initialDelay: duration('500ms').describe('First delay before reconnecting after a loss.'),
        maxDelay: duration('30s').describe('Cap of the exponential, jittered reconnection delay.'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const require = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (config.source === 'redis' && !config.redis.url)
      require(['redis', 'url'], 'required when source is redis');
    if (config.source === 'sse') {
      if (!config.sse.issuer) require(['sse', 'issuer'], 'required when source is sse');
      const basic = Boolean(config.sse.clientId) || Boolean(config.sse.clientSecret);
      if (basic && !(config.sse.clientId && config.sse.clientSecret)) {
        require([
          'sse',
          config.sse.clientId ? 'clientSecret' : 'clientId',
        ], 'clientId and clientSecret go together');
      }
      if (basic === Boolean(config.sse.token)) {
        require(['sse', 'token'], 'give either clientId and clientSecret, or token');
      }
    }
  })
  .prefault({});

/** The section as written (input) and as used (output: durations in milliseconds). */
export type RevocationEventsInput = z.input<typeof revocationEventsSchema>;
export type RevocationEventsConfig = z.output<typeof revocationEventsSchema>;

/** Validates the section, filling defaults; a bad value throws `configInvalid` naming `<prefix>.<key>`. */
export function parseRevocationEventsConfig(
  raw: unknown,
  prefix = 'revocationEvents',
): RevocationEventsConfig {
  const result = revocationEventsSchema.safeParse(raw ?? {});
  if (!result.success) throw configRejection(result.error.issues, prefix);
  return result.data;
}
