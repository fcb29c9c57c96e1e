/**
 * @module idp/events/config
 * The `idp.events` section: where the IdP publishes revocation events. Redis pub/sub reaches every replica
 * of the deployment (and the caches subscribed to it); the SSE stream (`<issuer>/events/revocations`)
 * serves consumers over HTTP, signed, and relays what other replicas published on Redis. Both are optional;
 * the stream is on by default because it costs nothing until someone connects, and only authenticated
 * introspection callers may connect.
 */
import { z } from 'zod';
import { optionalRedisUrl } from '../../cache/redis-client.ts';
import { duration } from '../../config/duration-schema.ts';
import { DEFAULT_REVOCATION_CHANNEL } from '../../events/config.ts';

export const idpEventsSchema = z
  .object({
    redis: z
      .object({
        url: optionalRedisUrl().describe(
          'Publish revocation events on Redis (`redis://host:6379/0`, `rediss://` for TLS); empty = off.',
        ),
        channel: z
          .string()
          .min(1)
          .default(DEFAULT_REVOCATION_CHANNEL)
          .describe('Pub/sub channel of the events (JSON); subscribers use the same.'),
        publishTimeout: duration('2s').describe(
          'Longest wait for Redis when publishing; a revocation never fails because of it (logged, counted).',
        ),
      })
      .strict()
      .prefault({}),
    sse: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe(
            'Serve `<issuer>/events/revocations` (Server-Sent Events of signed SETs, RFC 8417) to introspection callers.',
          ),
        heartbeat: duration('15s').describe('Interval of the keep-alive comment on idle streams.'),
        bufferSize: z
          .number()
          .int()
          .positive()
          .default(10_000)
          .describe('Events kept in memory for `Last-Event-ID` replay; older positions get `event: reset`.'),
        maxStreams: z
          .number()
          .int()
          .positive()
          .default(1000)
          .describe('Concurrent streams served; more get 503 with Retry-After.'),
      })
      .strict()
      .prefault({}),
    maxTokensPerEvent: z
      .number()
      .int()
      .positive()
      .max(100_000)
      .default(1000)
      .describe(
        'Tokens one event lists for a client or subject revocation (subscribers also match those by client or subject).',
      ),
  })
  .strict()
  .prefault({});

export type IdpEventsConfig = z.output<typeof idpEventsSchema>;
