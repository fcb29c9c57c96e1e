/**
 * @module events/set.test
 * The SET form of revocation events: SSF profile (no sub, no exp, txn, one event), the event type and
 * `sub_id` chosen per scope, and the round trip back to the same event through the extension claim.
 * Also the JSON form (Redis) and its strict reading.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRevocationEvent, serializeRevocationEvent } from './event-json.ts';
import {
  REVOCATION_CLAIM,
  revocationEventFromClaims,
  revocationSetClaims,
  SESSION_REVOKED,
  TOKEN_REVOKED,
} from './set.ts';
import type { RevocationEvent } from './types.ts';

const ISSUER = 'https://idp.example/realms/acme';

function event(overrides: Partial<RevocationEvent>): RevocationEvent {
  return {
    id: 'e-1',
    issuer: ISSUER,
    tenant: 'acme',
    at: 1_700_000_000,
    scope: 'token',
    tokenHashes: [],
    jtis: [],
    subject: 'alice',
    clientId: 'app',
    ...overrides,
  };
}

const options = { issuer: 'https://idp.example', audience: 'gateway', issuedAt: 1_700_000_005 };

describe('revocation SETs', () => {
  it('follow the SSF profile of RFC 8417: iss, iat, jti, aud, txn, toe, one event, no sub or exp', () => {
    const claims = revocationSetClaims(event({ jtis: ['j-1'] }), options);
    assert.equal(claims.iss, 'https://idp.example');
    assert.equal(claims.iat, 1_700_000_005);
    assert.equal(claims.jti, 'e-1');
    assert.equal(claims.txn, 'e-1');
    assert.equal(claims.aud, 'gateway');
    assert.equal(claims.toe, 1_700_000_000);
    assert.equal(claims.sub, undefined);
    assert.equal(claims.exp, undefined);
    assert.deepEqual(claims.events, { [TOKEN_REVOKED]: { event_timestamp: 1_700_000_000 } });
    assert.equal(
      revocationSetClaims(event({ jtis: ['j-1'] }), { ...options, audience: undefined }).aud,
      undefined,
    );
  });

  it('name one JWT by jwt_id, one opaque token by its digest', () => {
    assert.deepEqual(revocationSetClaims(event({ jtis: ['j-1'] }), options).sub_id, {
      format: 'jwt_id',
      iss: ISSUER,
      jti: 'j-1',
    });
    assert.deepEqual(revocationSetClaims(event({ tokenHashes: ['h-1'] }), options).sub_id, {
      format: 'opaque',
      id: 'h-1',
    });
  });

  it('announce grants, clients and subjects as CAEP session-revoked with a complex subject', () => {
    const family = revocationSetClaims(
      event({ scope: 'family', familyId: 'f-1', tokenHashes: ['h-1', 'h-2'], jtis: ['j-1'] }),
      options,
    );
    assert.deepEqual(Object.keys(family.events as object), [SESSION_REVOKED]);
    assert.deepEqual(family.sub_id, {
      format: 'complex',
      session: { format: 'opaque', id: 'f-1' },
      user: { format: 'iss_sub', iss: ISSUER, sub: 'alice' },
      application: { format: 'opaque', id: 'app' },
      tenant: { format: 'opaque', id: 'acme' },
    });
    assert.deepEqual(revocationSetClaims(event({ scope: 'client', subject: undefined }), options).sub_id, {
      format: 'complex',
      application: { format: 'opaque', id: 'app' },
      tenant: { format: 'opaque', id: 'acme' },
    });
    assert.deepEqual(revocationSetClaims(event({ scope: 'subject', clientId: undefined }), options).sub_id, {
      format: 'complex',
      user: { format: 'iss_sub', iss: ISSUER, sub: 'alice' },
      tenant: { format: 'opaque', id: 'acme' },
    });
  });

  it('carry the whole event in their extension claim, read back unchanged', () => {
    const original = event({ scope: 'family', familyId: 'f-1', tokenHashes: ['h-1'], jtis: ['j-1', 'j-2'] });
    const claims = revocationSetClaims(original, options);
    assert.deepEqual((claims[REVOCATION_CLAIM] as Record<string, unknown>).token_hashes, ['h-1']);
    assert.deepEqual(revocationEventFromClaims(claims), original);
  });

  it('are not taken for ours without the extension claim or with a malformed one', () => {
    const claims = revocationSetClaims(event({ jtis: ['j-1'] }), options);
    assert.equal(revocationEventFromClaims({ ...claims, [REVOCATION_CLAIM]: undefined }), undefined);
    assert.equal(revocationEventFromClaims({ ...claims, events: undefined }), undefined);
    assert.equal(
      revocationEventFromClaims({ ...claims, [REVOCATION_CLAIM]: { scope: 'everything', tenant: 'acme' } }),
      undefined,
    );
  });
});

describe('revocation events as JSON', () => {
  it('round-trip, dropping unknown members', () => {
    const original = event({ scope: 'client', tokenHashes: ['h'] });
    assert.deepEqual(parseRevocationEvent(serializeRevocationEvent(original)), original);
    const extended = JSON.stringify({ ...original, future: true });
    assert.deepEqual(parseRevocationEvent(extended), original);
  });

  it('refuse what is not an event: bad JSON, wrong types, a scope without its key, a multi-line id', () => {
    assert.equal(parseRevocationEvent('{'), undefined);
    assert.equal(parseRevocationEvent('"x"'), undefined);
    assert.equal(parseRevocationEvent(JSON.stringify({ ...event({}), at: 'now' })), undefined);
    assert.equal(
      parseRevocationEvent(JSON.stringify(event({ scope: 'client', clientId: undefined }))),
      undefined,
    );
    assert.equal(
      parseRevocationEvent(JSON.stringify(event({ scope: 'subject', subject: undefined }))),
      undefined,
    );
    assert.equal(
      parseRevocationEvent(JSON.stringify(event({ id: 'e\nevent: reset' }))),
      undefined,
      'an id that would break an SSE line',
    );
  });
});
