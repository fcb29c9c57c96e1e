/**
 * @module idp/web/html
 * HTML for the browser pages without a template engine: the `html` tagged template escapes every
 * interpolated value (OWASP XSS Prevention rule 1: HTML-encode untrusted data in element content and
 * quoted attribute values), `raw()` marks a trusted fragment, and `page()` wraps a body in a complete,
 * accessible document.
 *
 * The document is self-contained: one inline stylesheet, no scripts, no external resources (no CDN, so no
 * third party learns who signs in, and nothing breaks offline). It is readable on a narrow screen
 * (viewport meta, fluid width), keeps WCAG AA contrast, shows a visible focus outline, has a skip link and
 * a `<main>` landmark.
 *
 * `sendHtml` answers with the security headers every page needs: the Content-Security-Policy `csp`
 * (the stylesheet allowed by its SHA-256 hash, no inline script, no framing: clickjacking defence, RFC 6749
 * §10.13), `X-Frame-Options: DENY` for older browsers, `Cache-Control: no-store` (pages carry CSRF tokens
 * and personal data), `Referrer-Policy: no-referrer` (URLs of the authorization flow carry state).
 */
import { createHash } from 'node:crypto';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** A fragment of HTML that is already safe: built by `html`, or declared trusted with `raw`. */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (character) => ESCAPES[character]);
}

/** Marks `fragment` as trusted HTML: only for constants or output of `html`, never for input. */
export function raw(fragment: string): SafeHtml {
  return new SafeHtml(fragment);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * Tagged template: literal parts are kept, interpolations escaped (SafeHtml kept, arrays joined, null,
 * undefined and false dropped). Interpolate only into element content or double-quoted attributes.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  for (let index = 0; index < values.length; index++) out += render(values[index]) + strings[index + 1];
  return new SafeHtml(out);
}

/** The pages' one stylesheet (its hash is in the CSP, so it must stay byte-for-byte constant). */
export const PAGE_STYLE = `
:root{color-scheme:light dark;--fg:#1b1b1f;--bg:#f6f7f9;--card:#fff;--muted:#4a4f57;--accent:#0b57d0;
--accent-fg:#fff;--border:#c4c7cc;--error-bg:#fdecea;--error-fg:#8c1d18;--focus:#c2410c}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--bg:#121316;--card:#1e1f23;--muted:#c0c4ca;
--accent:#8ab4f8;--accent-fg:#0b1a33;--border:#5f6368;--error-bg:#3b1411;--error-fg:#f9dedc;--focus:#fdba74}}
*{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
.skip{position:absolute;left:-999px;top:0;padding:.5rem 1rem;background:var(--card);color:var(--fg)}
.skip:focus{left:.5rem;top:.5rem;z-index:1}
header{background:var(--card);border-bottom:1px solid var(--border);padding:.5rem 1rem}
header nav ul{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;margin:0;padding:0}
main{width:100%;max-width:34rem;margin:2rem auto;padding:1.5rem;background:var(--card);border:1px solid var(--border);border-radius:.5rem}
main.wide{max-width:60rem}
h1{font-size:1.5rem;margin:0 0 1rem}
p,ul{margin:0 0 1rem}
a{color:var(--accent)}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=text],input[type=password],input[type=email],input[type=url],select,textarea{width:100%;padding:.625rem;
font:inherit;color:var(--fg);background:var(--card);border:1px solid var(--muted);border-radius:.25rem}
button,.button{display:inline-block;margin:1.25rem .5rem 0 0;padding:.625rem 1.25rem;font:inherit;font-weight:600;
border:2px solid var(--accent);border-radius:.25rem;background:var(--accent);color:var(--accent-fg);cursor:pointer;text-decoration:none}
button.secondary{background:transparent;color:var(--accent)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.error{padding:.75rem 1rem;background:var(--error-bg);color:var(--error-fg);border-radius:.25rem;margin:0 0 1rem}
.muted{color:var(--muted)}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.5rem;border-bottom:1px solid var(--border)}
@media (max-width:36rem){main{margin:0;border:0;border-radius:0}}
`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;

/**
 * The Content-Security-Policy of every page. No `form-action`: Chromium applies it to the redirects that
 * follow a form POST, and the consent form's answer is a redirect to the client's registered redirect_uri.
 */
export const csp = [
  "default-src 'self'",
  "script-src 'self'",
  `style-src ${STYLE_HASH}`,
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** Navigation links (`<li>` items), shown in a header `<nav>`. */
  nav?: SafeHtml;
  lang?: string;
  /** A class for `<main>` (`wide` for tables). */
  mainClass?: string;
}

/** A complete HTML document. */
export function page(options: PageOptions): string {
  const nav = options.nav
    ? html`<header><nav aria-label="Main"><ul>${options.nav}</ul></nav></header>`
    : undefined;
  return html`<!doctype html>
<html lang="${options.lang ?? 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title}</title>
<style>${raw(PAGE_STYLE)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
${nav}
<main id="main" tabindex="-1" class="${options.mainClass ?? ''}">
${options.body}
</main>
</body>
</html>
`.value;
}

/** The security headers of every page answer (see the module comment). */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': csp,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
};

/** Sets headers one by one, so they join those set before (`Set-Cookie` from `setCookie`). */
function writeHeaders(response: ServerResponse, headers: OutgoingHttpHeaders): void {
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) response.setHeader(name, value);
}

/** Sends `document` as `text/html` with the page security headers; `headers` add (e.g. `retry-after`). */
export function sendHtml(
  response: ServerResponse,
  status: number,
  document: string,
  headers: OutgoingHttpHeaders = {},
): void {
  writeHeaders(response, {
    ...PAGE_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(document),
    ...headers,
  });
  response.writeHead(status);
  response.end(response.req?.method === 'HEAD' ? undefined : document);
}

/** A `303 See Other` to `location` (after a POST the browser follows with GET), uncached. */
export function sendRedirect(response: ServerResponse, location: string, status = 303): void {
  writeHeaders(response, {
    location,
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'referrer-policy': 'no-referrer',
    'content-length': 0,
  });
  response.writeHead(status);
  response.end();
}
