/**
 * @module config/duration-schema
 * The duration type of every config section (`500ms`, `30s`, `1m`, `1h30m`, or milliseconds). In a module
 * of its own, depending on nothing but zod, so that schema fragments mounted in several sections (the shared
 * cache, revocation events) can use it without an import cycle through the sections that mount them.
 */
import { z } from 'zod';
import { parseDuration } from '../util/duration.ts';

/** A duration: `500ms`, `30s`, `1m`, `1h30m`, or a number of milliseconds. Parsed to milliseconds. */
export const duration = (fallback: string) =>
  z
    .union([z.string(), z.number().nonnegative()])
    .default(fallback)
    .transform((value, ctx) => {
      if (typeof value === 'number') return value;
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `"${value}" is not a duration (examples: 500ms, 30s, 1m, 1h)`,
        });
        return z.NEVER;
      }
      return ms;
    });

/** A duration that may stay empty: `''` (the default) parses to undefined, for a key that falls back to another. */
export const optionalDuration = () =>
  z
    .union([z.string(), z.number().nonnegative()])
    .default('')
    .transform((value, ctx) => {
      if (value === '') return undefined;
      const parsed = duration('0s').safeParse(value);
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
      return z.NEVER;
    });
