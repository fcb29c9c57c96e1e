/**
 * @module gateway/proxy/headers
 * Header rewriting at the proxy boundary. A proxy forwards end-to-end fields and drops hop-by-hop ones
 * (RFC 9110 §7.6.1: the fixed list plus every name the `Connection` field lists), in both directions;
 * then the gateway's plan (remove credentials and spoofable identity headers, set the identity headers),
 * the request id and the `X-Forwarded-*` family are applied. Values that could split a header line
 * (CR, LF, NUL) are refused here, before any byte is written upstream.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { TokenguardError } from '../../errors/tokenguard-error.ts';
import type { ForwardPlan } from './types.ts';

/**
 * Hop-by-hop fields (RFC 9110 §7.6.1, plus `proxy-connection`, `keep-alive` of RFC 2068 and the proxy
 * authentication pair of §11.7): meaningful for one connection only, never forwarded.
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Request fields the proxy never forwards besides the hop-by-hop ones. `expect: 100-continue` was
 * answered by our own server already (node:http sends the interim 100); forwarding it would make the
 * upstream wait for a continue that nobody relays (RFC 9110 §10.1.1), and undici refuses it.
 */
const NOT_FORWARDED: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'expect']);

/** Names a plan may not set: connection framing and routing stay the engine's. */
const NOT_SETTABLE: ReadonlySet<string> = new Set([
  ...NOT_FORWARDED,
  'host',
  'content-length',
  'x-request-id',
]);

/** `token` of RFC 9110 §5.6.2: the only valid field name characters. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Characters that would end a header line (response splitting, RFC 9110 §5.5). */
const LINE_BREAK = /[\r\n\0]/;

/** Lower-case names listed in `Connection` values (`close`, `keep-alive`, `x-private`, …). */
export function connectionOptions(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(',') : value;
  const names: string[] = [];
  for (const part of text.split(',')) {
    const name = part.trim().toLowerCase();
    if (name) names.push(name);
  }
  return names;
}

/** The client side of one request as the proxy sees it (where it came from, how it arrived). */
export interface ClientSide {
  /** `http` or `https`: the scheme of the connection the gateway received. */
  readonly proto: 'http' | 'https';
  /** The peer address of that connection, IPv4-mapped IPv6 written as IPv4. */
  readonly address: string | undefined;
}

export function clientSideOf(request: IncomingMessage): ClientSide {
  const socket = request.socket as IncomingMessage['socket'] & { encrypted?: boolean };
  const raw = socket.remoteAddress;
  return {
    proto: socket.encrypted ? 'https' : 'http',
    address: raw?.startsWith('::ffff:') && raw.includes('.') ? raw.slice(7) : raw,
  };
}

export interface UpstreamHeaderOptions {
  /** The `Host` to send when the client's is not preserved (`host[:port]` of the upstream URL). */
  readonly upstreamHost: string;
  readonly preserveHost: boolean;
  /** An Upgrade request (RFC 9110 §7.8): keep `Connection: upgrade` and the client's `Upgrade`. */
  readonly upgrade: boolean;
}

/**
 * The header set sent upstream for `request`, in this order: client fields minus hop-by-hop (and what the
 * client's `Connection` lists), minus `plan.removeHeaders`; `plan.setHeaders` overwrite; then
 * `x-request-id`, `x-forwarded-for` (client address appended), `x-forwarded-proto`/`-host`/`-port`
 * (overwritten: a client must not choose them), `host`. A plan holding a value that cannot be sent gives
 * a 502 error (`internal_error`) instead, for the caller to answer.
 */
export function upstreamRequestHeaders(
  request: IncomingMessage,
  plan: ForwardPlan,
  options: UpstreamHeaderOptions,
): Record<string, string | string[]> | TokenguardError {
  const incoming = request.headers;
  const client = clientSideOf(request);
  const listed = connectionOptions(incoming.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in incoming) {
    if (NOT_FORWARDED.has(name) || plan.removeHeaders.has(name)) continue;
    // `X_User_Id` reads as `X-User-Id` to CGI, WSGI and Rack servers (HTTP_X_USER_ID): a removed name
    // must not come back spelled with underscores.
    if (name.includes('_') && plan.removeHeaders.has(name.replaceAll('_', '-'))) continue;
    if (listed.length > 0 && listed.includes(name)) continue;
    const value = incoming[name];
    if (value !== undefined) out[name] = value;
  }
  for (const name in plan.setHeaders) {
    const lower = name.toLowerCase();
    const value = plan.setHeaders[name];
    if (!TOKEN.test(name) || NOT_SETTABLE.has(lower)) return refused(`plan sets header name "${name}"`);
    if (LINE_BREAK.test(value)) return refused(`plan value of ${lower} contains CR, LF or NUL`);
    out[lower] = value;
  }
  if (LINE_BREAK.test(plan.requestId)) return refused('request id contains CR, LF or NUL');
  out['x-request-id'] = plan.requestId;

  const prior = out['x-forwarded-for'];
  if (client.address) {
    const before = Array.isArray(prior) ? prior.join(', ') : prior;
    out['x-forwarded-for'] = before ? `${before}, ${client.address}` : client.address;
  }
  out['x-forwarded-proto'] = client.proto;
  const clientHost = incoming.host;
  if (clientHost) {
    out['x-forwarded-host'] = clientHost;
    out['x-forwarded-port'] = portOfHost(clientHost) ?? (client.proto === 'https' ? '443' : '80');
  } else {
    delete out['x-forwarded-host'];
    out['x-forwarded-port'] = String(request.socket.localPort ?? (client.proto === 'https' ? 443 : 80));
  }
  out.host = options.preserveHost && clientHost ? clientHost : options.upstreamHost;
  if (options.upgrade && incoming.upgrade) {
    out.connection = 'upgrade';
    out.upgrade = incoming.upgrade;
  }
  return out;
}

/** The port of a `Host` value (`example.com:8443`, `[::1]:8080`), or undefined when it names none. */
function portOfHost(host: string): string | undefined {
  const match = /:(\d{1,5})$/.exec(host);
  return match ? match[1] : undefined;
}

function refused(detail: string): TokenguardError {
  return new TokenguardError('upstreamUnavailable', 'internal_error', { detail });
}

/**
 * The end-to-end fields of a parsed response header object: a new object without the hop-by-hop fields
 * (and those the upstream's `Connection` lists). Copied rather than deleted in place: `delete` turns the
 * object into a slow dictionary that node's `writeHead` then walks, on every proxied response.
 */
export function stripResponseHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const connection = headers.connection;
  // `keep-alive` or `close`, what nearly every upstream sends, lists no field but hop-by-hop ones
  const listed =
    connection === undefined || connection === 'keep-alive' || connection === 'close'
      ? undefined
      : connectionOptions(connection);
  const kept: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || listed?.includes(name)) continue;
    kept[name] = headers[name];
  }
  return kept;
}

/**
 * The header lines of a response read by node:http (`rawHeaders`, name/value pairs), minus hop-by-hop
 * fields; `keepUpgrade` keeps `Connection`/`Upgrade` of a 101 (RFC 9110 §15.2.2 requires them).
 */
export function rawResponseHeaderLines(rawHeaders: readonly string[], keepUpgrade: boolean): string {
  const names: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === 'connection') names.push(rawHeaders[i + 1]);
  }
  const listed = connectionOptions(names);
  let lines = '';
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const lower = name.toLowerCase();
    const kept = keepUpgrade && (lower === 'connection' || lower === 'upgrade');
    if (!kept && (HOP_BY_HOP.has(lower) || listed.includes(lower))) continue;
    lines += `${name}: ${rawHeaders[i + 1]}\r\n`;
  }
  return lines;
}
