/**
 * @module jwt/trusted-issuers.test
 * Issuer trust: names, exact URLs, host globs, the glob-bypass tricks that must fail, and the
 * configuration errors of invalid patterns.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenguardError } from '../errors/tokenguard-error.ts';
import { TrustedIssuers, type TrustedIssuersConfig } from './trusted-issuers.ts';

function issuers(config: Partial<TrustedIssuersConfig>): TrustedIssuers {
  return new TrustedIssuers({ trustedIssuers: {}, trustedIssuerUrls: [], jwksUri: {}, ...config });
}

describe('TrustedIssuers', () => {
  it('maps an iss name of trustedIssuers to its issuer URL', () => {
    const trust = issuers({ trustedIssuers: { 'my-issuer': 'https://idp.example.com/idp' } });
    assert.deepEqual(trust.resolve('my-issuer'), { issuerUrl: 'https://idp.example.com/idp' });
    assert.equal(trust.resolve('other-issuer'), undefined);
  });

  it('does not trust inherited object members as names (constructor, __proto__, toString)', () => {
    const trust = issuers({ trustedIssuers: { 'my-issuer': 'https://idp.example.com' } });
    for (const iss of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      assert.equal(trust.resolve(iss), undefined, iss);
    }
  });

  it('trusts an exact URL with and without one trailing slash, returning the iss as issuer URL', () => {
    const trust = issuers({ trustedIssuerUrls: ['https://idp.example.com/idp'] });
    assert.deepEqual(trust.resolve('https://idp.example.com/idp'), {
      issuerUrl: 'https://idp.example.com/idp',
    });
    assert.deepEqual(trust.resolve('https://idp.example.com/idp/'), {
      issuerUrl: 'https://idp.example.com/idp/',
    });
    assert.equal(trust.resolve('https://idp.example.com/idp//'), undefined);
    assert.equal(trust.resolve('https://idp.example.com/idp2'), undefined);
    assert.equal(trust.resolve('https://idp.example.com'), undefined);
  });

  it('returns the configured jwksUri of the resolved issuer (with or without trailing slash)', () => {
    const trust = issuers({
      trustedIssuers: { named: 'https://named.example.com/' },
      trustedIssuerUrls: ['https://idp.example.com/idp', 'https://*.tenants.example.com'],
      jwksUri: {
        'https://idp.example.com/idp/': 'https://keys.example.com/idp.json',
        'https://named.example.com': 'https://keys.example.com/named.json',
        'https://t1.tenants.example.com': 'https://keys.example.com/t1.json',
      },
    });
    assert.equal(trust.resolve('https://idp.example.com/idp')?.jwksUri, 'https://keys.example.com/idp.json');
    assert.equal(trust.resolve('named')?.jwksUri, 'https://keys.example.com/named.json');
    assert.equal(
      trust.resolve('https://t1.tenants.example.com/')?.jwksUri,
      'https://keys.example.com/t1.json',
    );
    assert.equal(trust.resolve('https://t2.tenants.example.com')?.jwksUri, undefined);
  });

  describe('host globs', () => {
    const trust = issuers({
      trustedIssuerUrls: ['https://*.example.com/idp', 'https://idp-*.corp.example.org:8443/realms/r1'],
    });

    for (const iss of [
      'https://a.example.com/idp',
      'https://a.example.com/idp/',
      'https://tenant-42.example.com/idp',
      'https://a.b.example.com/idp',
      'https://A.Example.COM/idp',
      'https://idp-eu.corp.example.org:8443/realms/r1',
    ]) {
      it(`trusts ${iss}`, () => {
        assert.deepEqual(trust.resolve(iss), { issuerUrl: iss });
      });
    }

    for (const [why, iss] of [
      ['the pattern host hidden in the path', 'https://evil.com/.example.com/idp'],
      ['the pattern host as a prefix of another domain', 'https://a.example.com.evil.com/idp'],
      ['userinfo before the real host', 'https://x.example.com@evil.com/idp'],
      ['userinfo with a port-like part', 'https://x.example.com:443@evil.com/idp'],
      ['a backslash before the real host', 'https://a.example.com\\@evil.com/idp'],
      ['a percent-encoded slash in the host', 'https://a.example.com%2F@evil.com/idp'],
      ['another port', 'https://a.example.com:8443/idp'],
      ['an explicit default port', 'https://a.example.com:443/idp'],
      ['http instead of https', 'http://a.example.com/idp'],
      ['another path', 'https://a.example.com/idp2'],
      ['a longer path', 'https://a.example.com/idp/x'],
      ['a path traversal', 'https://a.example.com/x/../idp'],
      ['two trailing slashes', 'https://a.example.com/idp//'],
      ['a query', 'https://a.example.com/idp?x=1'],
      ['a fragment', 'https://a.example.com/idp#x'],
      ['an empty wildcard part', 'https://.example.com/idp'],
      ['the bare domain', 'https://example.com/idp'],
      ['an empty label', 'https://a..example.com/idp'],
      ['a trailing dot', 'https://a.example.com./idp'],
      ['a leading space', ' https://a.example.com/idp'],
      ['a trailing newline', 'https://a.example.com/idp\n'],
      ['an upper-case scheme', 'HTTPS://a.example.com/idp'],
      ['the port-restricted pattern without its port', 'https://idp-eu.corp.example.org/realms/r1'],
      ['the port-restricted pattern on another port', 'https://idp-eu.corp.example.org:9443/realms/r1'],
      ['the wildcard spanning into the literal prefix', 'https://xidp-eu.corp.example.org:8443/realms/r1'],
    ]) {
      it(`rejects ${why}: ${JSON.stringify(iss)}`, () => {
        assert.equal(trust.resolve(iss), undefined);
      });
    }
  });

  describe('invalid configuration', () => {
    for (const [why, url] of [
      ['a wildcard in the path', 'https://idp.example.com/*'],
      ['a wildcard in the scheme', '*://idp.example.com/idp'],
      ['a wildcard in the port', 'https://*.example.com:*/idp'],
      ['a wildcard covering the top-level domain', 'https://*.com/idp'],
      ['a wildcard in the registrable domain', 'https://idp.*.com/idp'],
      ['a bare wildcard host', 'https://*/idp'],
      ['userinfo in a pattern', 'https://user@*.example.com/idp'],
      ['a non-http scheme in a pattern', 'ftp://*.example.com/idp'],
      ['a pattern with a fragment', 'https://*.example.com/idp#x'],
      ['a port out of range', 'https://*.example.com:70000/idp'],
      ['an exact entry that is not a URL', 'idp.example.com'],
      ['an exact entry with a non-http scheme', 'ftp://idp.example.com'],
      ['an exact entry with userinfo', 'https://user:secret@idp.example.com'],
    ]) {
      it(`rejects ${why} with configInvalid naming the entry`, () => {
        assert.throws(
          () => issuers({ trustedIssuerUrls: ['https://ok.example.com', url] }),
          (error: unknown) =>
            error instanceof TokenguardError &&
            error.code === 'configInvalid' &&
            error.path === 'auth.jwt.trustedIssuerUrls[1]',
        );
      });
    }
  });

  it('counts its trust entries', () => {
    const trust = issuers({
      trustedIssuers: { a: 'https://a.example.com' },
      trustedIssuerUrls: ['https://b.example.com', 'https://*.c.example.com'],
    });
    assert.equal(trust.size, 3);
  });
});
