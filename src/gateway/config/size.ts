/**
 * @module gateway/config/size
 * Byte sizes in the gateway's config: a number of bytes, or `512b`, `16kb`, `10mb`, `1gb` (binary units,
 * 1kb = 1024 bytes, as nginx's `client_max_body_size`; `KiB`/`MiB`/`GiB` spelled out work too).
 */
import { z } from 'zod';

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/;

/** Parses a size to bytes, or returns undefined when the text is not one. */
export function parseSize(text: string): number | undefined {
  const match = SIZE.exec(text.trim().toLowerCase());
  if (!match) return undefined;
  const unit = match[2] === '' ? 1 : UNITS[match[2]];
  return unit === undefined ? undefined : Math.floor(Number(match[1]) * unit);
}

/** A size (`16kb`, `1mb` or a whole number of bytes) parsed to bytes, without a default. */
export const sizeValue = () =>
  z.union([z.string(), z.number().int().nonnegative()]).transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const bytes = parseSize(value);
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a size (examples: 16kb, 10mb, 1024)` });
      return z.NEVER;
    }
    return bytes;
  });

/** A size key of the schema with its default. */
export const size = (fallback: string) =>
  z.union([z.string(), z.number().int().nonnegative()]).default(fallback).pipe(sizeValue());
