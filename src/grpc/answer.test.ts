/**
 * @module grpc/answer.test
 * The go-authkit mapping between `IntrospectTokenResponse` and RFC 7662 answers, both ways: every typed
 * field, the zero values that mean absent, `custom_claims_json`, and a lossless trip there and back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rejectsWith } from '../../test/support/assertions.ts';
import type { IntrospectionAnswer } from '../introspection/types.ts';
import {
  emptyIntrospectTokenResponse,
  fromIntrospectTokenResponse,
  toIntrospectTokenResponse,
} from './answer.ts';
import type { IntrospectTokenResponse } from './messages.ts';

const SOURCE = 'gRPC 127.0.0.1:50051';

/** A decoded response as proto-loader gives it (`defaults: true`): every field present. */
function response(fields: Partial<IntrospectTokenResponse>): IntrospectTokenResponse {
  return { ...emptyIntrospectTokenResponse(), ...fields };
}

const scope = (fields: Record<string, string | number>) => ({
  tenant_uuid: '',
  tenant_int_id: 0,
  resource_server: '',
  resource_namespace: '',
  resource_path: '',
  role_name: '',
  ...fields,
});

describe('fromIntrospectTokenResponse', () => {
  it('maps every field as go-authkit does', () => {
    const answer = fromIntrospectTokenResponse(
      response({
        active: true,
        token_type: 'Bearer',
        exp: 1728294869,
        aud: ['https://api.example.com', 'billing'],
        jti: '474ae4ba-0092-40fb-8f61-64ac1a954068',
        iss: 'http://127.0.0.1:8081',
        sub: 'admin2',
        scope: [
          scope({
            tenant_uuid: 'a0b1c2d3',
            tenant_int_id: 1042,
            resource_server: 'rs-1',
            resource_namespace: 'my_service',
            resource_path: '/projects/7',
            role_name: 'admin',
          }),
          scope({ resource_namespace: 'billing', role_name: 'viewer' }),
        ],
        nbf: 1728291200,
        iat: 1728291269,
      }),
      SOURCE,
    );
    assert.deepEqual(answer, {
      active: true,
      token_type: 'Bearer',
      exp: 1728294869,
      aud: ['https://api.example.com', 'billing'],
      jti: '474ae4ba-0092-40fb-8f61-64ac1a954068',
      iss: 'http://127.0.0.1:8081',
      sub: 'admin2',
      scope: [
        { tuid: 'a0b1c2d3', tid: '1042', rs: 'rs-1', rn: 'my_service', rp: '/projects/7', role: 'admin' },
        { rn: 'billing', role: 'viewer' },
      ],
      nbf: 1728291200,
      iat: 1728291269,
    });
  });

  it('leaves out zero times, empty strings, an empty aud and an empty scope', () => {
    assert.deepEqual(fromIntrospectTokenResponse(response({ active: true, sub: 'user' }), SOURCE), {
      active: true,
      sub: 'user',
    });
  });

  it('reduces an inactive answer to exactly {active:false}, whatever else it says', () => {
    const answer = fromIntrospectTokenResponse(
      response({ active: false, sub: 'user', exp: 1728294869, custom_claims_json: '{"x":1}' }),
      SOURCE,
    );
    assert.deepEqual(answer, { active: false });
  });

  it('merges custom_claims_json last: new members, and replacements of typed ones', () => {
    const answer = fromIntrospectTokenResponse(
      response({
        active: true,
        sub: 'svc',
        scope: [scope({ resource_namespace: 'my_service', role_name: 'admin' })],
        custom_claims_json: JSON.stringify({
          client_id: 'cli-1',
          realm_access: { roles: ['ops'] },
          scope: 'read write',
        }),
      }),
      SOURCE,
    );
    assert.deepEqual(answer, {
      active: true,
      sub: 'svc',
      client_id: 'cli-1',
      realm_access: { roles: ['ops'] },
      scope: 'read write',
    });
  });

  it('never lets custom_claims_json decide `active`', () => {
    const answer = fromIntrospectTokenResponse(
      response({ active: true, sub: 'u', custom_claims_json: '{"active":"no"}' }),
      SOURCE,
    );
    assert.equal(answer.active, true);
  });

  it('keeps a "__proto__" member of custom_claims_json a plain member', () => {
    const answer = fromIntrospectTokenResponse(
      response({ active: true, custom_claims_json: '{"__proto__":{"admin":true}}' }),
      SOURCE,
    );
    assert.equal(Object.getPrototypeOf(answer), Object.prototype);
    assert.equal((answer as Record<string, unknown>).admin, undefined);
  });

  for (const [what, json] of [
    ['not JSON', '{"sub":'],
    ['not a JSON object', '["a"]'],
    ['null', 'null'],
  ] as const) {
    it(`fails with idp_bad_response when custom_claims_json is ${what}`, async () => {
      const error = await rejectsWith(
        Promise.resolve().then(() =>
          fromIntrospectTokenResponse(response({ active: true, custom_claims_json: json }), SOURCE),
        ),
        'serviceUnavailable',
        'idp_bad_response',
      );
      assert.match(error.detail ?? '', /custom_claims_json of gRPC 127\.0\.0\.1:50051/);
    });
  }
});

describe('toIntrospectTokenResponse', () => {
  it('answers an inactive token with every field at its default', () => {
    assert.deepEqual(
      toIntrospectTokenResponse({ active: false, sub: 'ignored' }),
      response({ active: false }),
    );
  });

  it('puts members into the typed fields, a string aud as a one-element list', () => {
    assert.deepEqual(
      toIntrospectTokenResponse({
        active: true,
        token_type: 'Bearer',
        iss: 'https://idp',
        sub: 'user',
        aud: 'api',
        exp: 2000000000,
        nbf: 1999990000,
        iat: 1999990000,
        jti: 'j-1',
        scope: [{ tid: '42', tuid: 't-42', rs: 'rs', rn: 'my_service', rp: '/p', role: 'admin' }],
      }),
      response({
        active: true,
        token_type: 'Bearer',
        iss: 'https://idp',
        sub: 'user',
        aud: ['api'],
        exp: 2000000000,
        nbf: 1999990000,
        iat: 1999990000,
        jti: 'j-1',
        scope: [
          scope({
            tenant_int_id: 42,
            tenant_uuid: 't-42',
            resource_server: 'rs',
            resource_namespace: 'my_service',
            resource_path: '/p',
            role_name: 'admin',
          }),
        ],
      }),
    );
  });

  it('sends what the typed fields cannot carry exactly as custom_claims_json', () => {
    const sent = toIntrospectTokenResponse({
      active: true,
      sub: '',
      client_id: 'cli',
      scope: 'read write',
      exp: 1.5,
      aud: ['a', 7],
    } as IntrospectionAnswer);
    assert.equal(sent.sub, '');
    assert.deepEqual(sent.scope, []);
    assert.deepEqual(JSON.parse(sent.custom_claims_json), {
      sub: '',
      client_id: 'cli',
      scope: 'read write',
      exp: 1.5,
      aud: ['a', 7],
    });
  });

  it('keeps a scope with a member or tid the proto cannot carry whole, in custom_claims_json', () => {
    for (const policy of [
      { rn: 'x', extra: 'y' },
      { rn: 'x', tid: '0' },
      { rn: 'x', tid: '007' },
      { rn: '' },
    ]) {
      const sent = toIntrospectTokenResponse({
        active: true,
        scope: [{ rn: 'ok' }, policy],
      } as IntrospectionAnswer);
      assert.deepEqual(sent.scope, [], JSON.stringify(policy));
      assert.deepEqual(JSON.parse(sent.custom_claims_json).scope, [{ rn: 'ok' }, policy]);
    }
  });

  it('round-trips answers through the proto unchanged', () => {
    const answers: IntrospectionAnswer[] = [
      { active: false },
      { active: true },
      {
        active: true,
        token_type: 'Bearer',
        iss: 'http://127.0.0.1:8081',
        sub: 'admin2',
        aud: ['a', 'b'],
        exp: 1728294729,
        iat: 1728291129,
        jti: 'fdcd234b',
        scope: [
          { rn: 'my_service', role: 'admin' },
          { tid: '-5', tuid: 'u' },
        ],
      },
      {
        active: true,
        sub: 'kc-user',
        scope: 'openid profile',
        permissions: [{ rsname: 'doc', scopes: ['view'] }],
        realm_access: { roles: ['admin'] },
        exp: 0,
        username: '',
      },
    ];
    for (const answer of answers) {
      assert.deepEqual(fromIntrospectTokenResponse(toIntrospectTokenResponse(answer), SOURCE), answer);
    }
  });
});
