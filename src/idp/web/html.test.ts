/**
 * @module idp/web/html.test
 * The template escapes, `raw` passes, `page` is a complete accessible document, `sendHtml` sets the
 * security headers.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { type IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { csp, escapeHtml, html, PAGE_STYLE, page, raw, sendHtml, sendRedirect } from './html.ts';

describe('html', () => {
  it('escapes interpolations, keeps SafeHtml, joins arrays, drops nullish and false', () => {
    const name = '<script>alert("x")</script>&\'`';
    const out = html`<p title="${name}">${name}${raw('<b>ok</b>')}${[html`<i>${'<'}</i>`, '>']}${undefined}${false}${0}</p>`;
    assert.equal(
      out.value,
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;<b>ok</b><i>&lt;</i>&gt;0</p>',
    );
    assert.equal(escapeHtml('a&b'), 'a&amp;b');
  });

  it('page is a complete, accessible document', () => {
    const doc = page({
      title: 'Sign <in>',
      body: html`<h1>Hi</h1>`,
      nav: html`<li><a href="/">Home</a></li>`,
    });
    assert.match(doc, /^<!doctype html>\n<html lang="en">/);
    assert.match(doc, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.match(doc, /<title>Sign &lt;in&gt;<\/title>/);
    assert.match(doc, /<a class="skip" href="#main">/);
    assert.match(doc, /<main id="main"/);
    assert.match(doc, /<nav aria-label="Main">/);
    assert.match(doc, /:focus-visible\{outline:3px/);
    assert.doesNotMatch(doc, /<script|<link|https?:\/\//);
  });

  it('the CSP allows exactly the inline stylesheet and forbids framing', () => {
    const hash = createHash('sha256').update(PAGE_STYLE).digest('base64');
    assert.ok(csp.includes(`style-src 'sha256-${hash}'`));
    assert.ok(csp.includes("frame-ancestors 'none'"));
    assert.ok(csp.includes("default-src 'self'"));
  });

  it('sendHtml and sendRedirect set the security headers', () => {
    const response = new ServerResponse({ method: 'GET' } as IncomingMessage);
    sendHtml(response, 429, '<p>x</p>', { 'retry-after': '3' });
    assert.equal(response.statusCode, 429);
    assert.equal(response.getHeader('content-security-policy'), csp);
    assert.equal(response.getHeader('x-frame-options'), 'DENY');
    assert.equal(response.getHeader('cache-control'), 'no-store');
    assert.equal(response.getHeader('referrer-policy'), 'no-referrer');
    assert.equal(response.getHeader('retry-after'), '3');
    assert.equal(response.getHeader('content-type'), 'text/html; charset=utf-8');
    const redirect = new ServerResponse({ method: 'POST' } as IncomingMessage);
    sendRedirect(redirect, 'https://rp.example/cb?code=1');
    assert.equal(redirect.statusCode, 303);
    assert.equal(redirect.getHeader('location'), 'https://rp.example/cb?code=1');
  });
});
