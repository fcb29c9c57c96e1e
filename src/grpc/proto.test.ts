/**
 * @module grpc/proto.test
 * Wire compatibility of `proto/idp_token.proto` with go-authkit's (its inventory, §7): the same package,
 * service, method paths, field names, numbers, types and reserved ranges, pinned here as a table; and the
 * bytes a message encodes to, so that a renumbered field cannot pass unnoticed.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { load, type MessageTypeDefinition, type PackageDefinition } from '@grpc/proto-loader';
import { type IdpTokenProto, loadIdpTokenProto, PROTO_FILE } from './proto.ts';

type Field = [name: string, number: number, type: string, repeated?: 'repeated'];

/** go-authkit `idptoken/idp_token.proto`, field by field. */
const MESSAGES: Record<string, { fields: Field[]; reserved: Array<[number, number]> }> = {
  CreateTokenRequest: {
    fields: [
      ['grant_type', 1, 'STRING'],
      ['assertion', 2, 'STRING'],
      ['not_required_introspection', 4, 'BOOL'],
    ],
    reserved: [
      [5, 50],
      [3, 3],
    ],
  },
  CreateTokenResponse: {
    fields: [
      ['access_token', 1, 'STRING'],
      ['token_type', 2, 'STRING'],
      ['expires_in', 3, 'INT64'],
    ],
    reserved: [[4, 50]],
  },
  IntrospectionScopeFilter: { fields: [['resource_namespace', 1, 'STRING']], reserved: [[2, 50]] },
  IntrospectTokenRequest: {
    fields: [
      ['token', 1, 'STRING'],
      ['scope_filter', 2, 'MESSAGE', 'repeated'],
    ],
    reserved: [[3, 50]],
  },
  AccessTokenScope: {
    fields: [
      ['tenant_uuid', 1, 'STRING'],
      ['tenant_int_id', 2, 'INT64'],
      ['resource_server', 3, 'STRING'],
      ['resource_namespace', 4, 'STRING'],
      ['resource_path', 5, 'STRING'],
      ['role_name', 6, 'STRING'],
    ],
    reserved: [[7, 50]],
  },
  IntrospectTokenResponse: {
    fields: [
      ['active', 1, 'BOOL'],
      ['token_type', 2, 'STRING'],
      ['exp', 3, 'INT64'],
      ['aud', 4, 'STRING', 'repeated'],
      ['jti', 5, 'STRING'],
      ['iss', 6, 'STRING'],
      ['sub', 7, 'STRING'],
      ['scope', 11, 'MESSAGE', 'repeated'],
      ['nbf', 12, 'INT64'],
      ['iat', 13, 'INT64'],
      ['custom_claims_json', 14, 'STRING'],
    ],
    reserved: [
      [15, 100],
      [8, 8],
      [9, 9],
      [10, 10],
    ],
  },
};

interface Descriptor {
  field: Array<{ name: string; number: number; type: string; label: string }>;
  reservedRange: Array<{ start: number; end: number }>;
}

const hex = (buffer: Buffer) => buffer.toString('hex');

describe('proto/idp_token.proto', () => {
  let definition: PackageDefinition;
  let proto: IdpTokenProto;
  before(async () => {
    definition = await load(PROTO_FILE, { keepCase: true });
    proto = await loadIdpTokenProto();
  });

  it('declares exactly the messages of package idp_token', () => {
    assert.deepEqual(
      Object.keys(definition)
        .filter((name) => name !== 'idp_token.IDPTokenService')
        .sort(),
      Object.keys(MESSAGES)
        .map((name) => `idp_token.${name}`)
        .sort(),
    );
  });

  for (const [name, expected] of Object.entries(MESSAGES)) {
    it(`${name}: go-authkit's field names, numbers, types and reserved ranges`, () => {
      const type = (definition[`idp_token.${name}`] as MessageTypeDefinition<object, object>)
        .type as unknown as Descriptor;
      assert.deepEqual(
        type.field.map((field): Field => {
          const row: Field = [field.name, field.number, field.type.replace('TYPE_', '')];
          if (field.label === 'LABEL_REPEATED') row.push('repeated');
          return row;
        }),
        expected.fields,
      );
      assert.deepEqual(
        type.reservedRange.map((range) => [range.start, range.end]),
        expected.reserved,
      );
    });
  }

  it('serves /idp_token.IDPTokenService/{CreateToken,IntrospectToken}, both unary', () => {
    const { CreateToken, IntrospectToken } = proto.service;
    assert.equal(CreateToken.path, '/idp_token.IDPTokenService/CreateToken');
    assert.equal(IntrospectToken.path, '/idp_token.IDPTokenService/IntrospectToken');
    for (const method of [CreateToken, IntrospectToken]) {
      assert.equal(method.requestStream, false);
      assert.equal(method.responseStream, false);
    }
    assert.equal(typeof proto.Client.prototype.IntrospectToken, 'function');
  });

  it('encodes an introspection request to the bytes a Go client sends', () => {
    const bytes = proto.service.IntrospectToken.requestSerialize({
      token: 'tok',
      scope_filter: [{ resource_namespace: 'ns' }],
    });
    // 1:"tok", 2:{1:"ns"}
    assert.equal(hex(bytes), '0a03746f6b1204' + '0a026e73');
  });

  it('decodes the bytes of a Go server into every response field', () => {
    const wire = Buffer.from(
      [
        '0801', // 1 active: true
        '120142', // 2 token_type: "B"
        '1801', // 3 exp: 1
        '220161', // 4 aud: ["a"]
        '2a016a', // 5 jti: "j"
        '320169', // 6 iss: "i"
        '3a0173', // 7 sub: "s"
        '5a11' + '0a0175' + '1002' + '1a0172' + '22016e' + '2a0170' + '32016f', // 11 scope[0]
        '6003', // 12 nbf: 3
        '6804', // 13 iat: 4
        '72027b7d', // 14 custom_claims_json: "{}"
      ].join(''),
      'hex',
    );
    assert.deepEqual(proto.service.IntrospectToken.responseDeserialize(wire), {
      active: true,
      token_type: 'B',
      exp: 1,
      aud: ['a'],
      jti: 'j',
      iss: 'i',
      sub: 's',
      scope: [
        {
          tenant_uuid: 'u',
          tenant_int_id: 2,
          resource_server: 'r',
          resource_namespace: 'n',
          resource_path: 'p',
          role_name: 'o',
        },
      ],
      nbf: 3,
      iat: 4,
      custom_claims_json: '{}',
    });
  });

  it('decodes an empty message with every field at its default (proto-loader `defaults`)', () => {
    const decoded = proto.service.IntrospectToken.responseDeserialize(Buffer.alloc(0));
    assert.equal(decoded.active, false);
    assert.equal(decoded.exp, 0);
    assert.deepEqual(decoded.aud, []);
    assert.deepEqual(decoded.scope, []);
    assert.equal(decoded.custom_claims_json, '');
  });

  it('encodes the token exchange as go-authkit does', () => {
    const request = proto.service.CreateToken.requestSerialize({
      grant_type: 'g',
      assertion: 'a',
      not_required_introspection: true,
    });
    assert.equal(hex(request), '0a0167' + '120161' + '2001');
    assert.deepEqual(
      proto.service.CreateToken.responseDeserialize(Buffer.from('0a0174' + '120142' + '18901c', 'hex')),
      {
        access_token: 't',
        token_type: 'B',
        expires_in: 3600,
      },
    );
  });
});
