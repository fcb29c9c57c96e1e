/**
 * @module idp/console/assets
 * The console's two static files, `console.css` and `console.js` (progressive enhancement: copy buttons,
 * confirm dialogs, live-figure refresh; every page works without it). They are served by the console from
 * its own origin, so the Content-Security-Policy needs no more than `'self'`.
 *
 * Read once at start-up. The files sit in `assets/` beside this module in the source tree; a compiled
 * copy (`dist/…`) that has no `assets/` of its own falls back to the package's `src/` copy, which the
 * package ships.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Readonly<Record<string, string>> = {
  'console.css': 'text/css; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
};

function locate(name: string): URL {
  const beside = new URL(`./assets/${name}`, import.meta.url);
  if (existsSync(beside)) return beside;
  return new URL(`../../../src/idp/console/assets/${name}`, import.meta.url);
}

function load(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(TYPES)) {
    const body = readFileSync(locate(name));
    assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url')}"` });
  }
  return assets;
}

let loaded: Map<string, Asset> | undefined;

/** Whether `name` is a console asset. */
export function isAsset(name: string): boolean {
  return Object.hasOwn(TYPES, name);
}

/** Answers a GET or HEAD of asset `name` (which `isAsset` accepted); 304 when the browser's copy is current. */
export function sendAsset(request: IncomingMessage, response: ServerResponse, name: string): void {
  loaded ??= load();
  const asset = loaded.get(name)!;
  const headers = {
    etag: asset.etag,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  };
  if (request.headers['if-none-match'] === asset.etag) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  response.writeHead(200, { ...headers, 'content-type': asset.type, 'content-length': asset.body.length });
  response.end(request.method === 'HEAD' ? undefined : asset.body);
}
