/**
 * @module idp/clients/tls-subject.test
 * RFC 4514 subject DNs against node's certificate subject (RDNs in certificate order, one per line).
 */
import assert from 'node:assert/strict';
import type { X509Certificate } from 'node:crypto';
import { it } from 'node:test';
import { parseDn, subjectMatches } from './tls-subject.ts';

const certificate = (subject: string) => ({ subject }) as X509Certificate;

it('matches the RFC 4514 string (most specific RDN first), types and case loosely', () => {
  const cert = certificate('C=DE\nO=Acme, Inc.\nCN=svc');
  assert.ok(subjectMatches(cert, 'CN=svc,O=Acme\\, Inc.,C=DE'));
  assert.ok(subjectMatches(cert, 'cn=SVC, o=acme\\, inc., c=de'));
  assert.ok(!subjectMatches(cert, 'C=DE,O=Acme\\, Inc.,CN=svc'), 'order matters');
  assert.ok(!subjectMatches(cert, 'CN=svc,O=Acme\\, Inc.'), 'every RDN must match');
  assert.ok(!subjectMatches(certificate('CN=svc-evil'), 'CN=svc'));
});

it('parses escaped separators', () => {
  assert.deepEqual(parseDn('CN=a\\,b,O=x\\+y+OU=z'), [
    ['CN', 'a,b'],
    ['O', 'x+y'],
    ['OU', 'z'],
  ]);
});
