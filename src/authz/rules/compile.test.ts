/**
 * @module authz/rules/compile.test
 * What compiled rules decide on real claim shapes: every function, operators, escapes, type
 * strictness, missing claims and arrays.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Claims } from '../../claims/types.ts';
import { compileNode } from './compile.ts';
import { parseRule } from './parser.ts';

const claims: Claims = {
  iss: 'https://idp.example.com/realms/main',
  sub: 'admin2',
  grp: 'admin',
  scope: 'openid read write',
  aud: ['api', 'web'],
  realm_access: { roles: ['offline_access', 'ops'] },
  resource_access: { my_service: { roles: ['editor'] } },
  address: { country: 'DE', city: { name: 'Berlin' } },
  'https://example.com/roles': ['billing'],
  'a.b': 'dotted key',
  a: { b: 'nested key' },
  'say "hi"': 'quoted key',
  'back\\slash': 'backslash key',
  level: 3,
  verified: true,
  zero: 0,
  empty: '',
  nothing: null,
  mixed: [1, '2', true, null, { x: 1 }, ['nested']],
};

const decide = (rule: string, on: Claims = claims) => compileNode(parseRule(rule))(on);

describe('compiled rules: functions', () => {
  it('Equals compares strings, numbers and booleans', () => {
    assert.equal(decide('Equals("grp", "admin")'), true);
    assert.equal(decide('Equals("grp", "Admin")'), false);
    assert.equal(decide('Equals("level", 3)'), true);
    assert.equal(decide('Equals("level", 3.0)'), true);
    assert.equal(decide('Equals("verified", true)'), true);
    assert.equal(decide('Equals("verified", false)'), false);
    assert.equal(decide('Equals("empty", "")'), true);
    assert.equal(decide('Equals("zero", 0)'), true);
  });

  it('Contains finds array elements and substrings', () => {
    assert.equal(decide('Contains("aud", "api")'), true);
    assert.equal(decide('Contains("aud", "ap")'), false);
    assert.equal(decide('Contains("iss", "/realms/")'), true);
    assert.equal(decide('Contains("realm_access.roles", "ops")'), true);
    assert.equal(decide('Contains("mixed", 1)'), true);
    assert.equal(decide('Contains("mixed", true)'), true);
  });

  it('Prefix tests the start of a string claim', () => {
    assert.equal(decide('Prefix("iss", "https://idp.example.com/")'), true);
    assert.equal(decide('Prefix("iss", "http://")'), false);
    assert.equal(decide('Prefix("aud", "api")'), false);
  });

  it('OneOf accepts any listed value, for a scalar or any element of an array', () => {
    assert.equal(decide('OneOf("grp", "ops", "admin")'), true);
    assert.equal(decide('OneOf("grp", "ops", "dev")'), false);
    assert.equal(decide('OneOf("realm_access.roles", "admin", "ops")'), true);
    assert.equal(decide('OneOf("realm_access.roles", "admin", "dev")'), false);
    assert.equal(decide('OneOf("level", 1, 2, 3)'), true);
  });

  it('SplitContains splits a scope string', () => {
    assert.equal(decide('SplitContains("scope", " ", "read")'), true);
    assert.equal(decide('SplitContains("scope", " ", "rea")'), false);
    assert.equal(decide('SplitContains("scope", " ", "admin")'), false);
    assert.equal(decide('SplitContains("iss", "/", "realms")'), true);
    assert.equal(decide('SplitContains("aud", " ", "api")'), false);
  });
});

describe('compiled rules: operators', () => {
  it('evaluates && || ! with precedence ! > && > ||', () => {
    const T = 'Equals("grp", "admin")';
    const F = 'Equals("grp", "guest")';
    assert.equal(decide(`${T} || ${F} && ${F}`), true); // T || (F && F)
    assert.equal(decide(`(${T} || ${F}) && ${F}`), false);
    assert.equal(decide(`${F} && ${F} || ${T}`), true); // (F && F) || T
    assert.equal(decide(`!${F} && ${T}`), true);
    assert.equal(decide(`!(${F} || ${T})`), false);
    assert.equal(decide(`!!${T}`), true);
  });

  it('combines claims of several shapes (seed-like Keycloak token)', () => {
    const rule = `
      Equals("iss", "https://idp.example.com/realms/main")
      && (OneOf("realm_access.roles", "admin", "ops") || Contains("resource_access.my_service.roles", "editor"))
      && !Equals("address.country", "US")`;
    assert.equal(decide(rule), true);
    assert.equal(decide(rule, { ...claims, address: { country: 'US' } }), false);
    assert.equal(decide(rule, { ...claims, realm_access: {}, resource_access: {} }), false);
  });
});

describe('compiled rules: paths', () => {
  it('walks nested objects', () => {
    assert.equal(decide('Equals("address.country", "DE")'), true);
    assert.equal(decide('Equals("address.city.name", "Berlin")'), true);
  });

  it('uses \\. for a literal dot in a key, distinct from nesting', () => {
    assert.equal(decide('Contains("https://example\\.com/roles", "billing")'), true);
    assert.equal(decide('Equals("a\\.b", "dotted key")'), true);
    assert.equal(decide('Equals("a.b", "nested key")'), true);
  });

  it('decodes \\" and \\\\ in keys', () => {
    assert.equal(decide('Equals("say \\"hi\\"", "quoted key")'), true);
    assert.equal(decide('Equals("back\\\\slash", "backslash key")'), true);
  });

  it('does not walk into arrays, strings or inherited members', () => {
    assert.equal(decide('Equals("aud.0", "api")'), false);
    assert.equal(decide('Equals("grp.length", 5)'), false);
    assert.equal(decide('Equals("sub.constructor", "x")'), false);
    assert.equal(decide('!Contains("constructor", "Object")'), true);
    assert.equal(decide('!Prefix("__proto__", "")'), true);
    assert.equal(decide('!Equals("toString", "x")'), true);
  });
});

describe('compiled rules: strict types and missing claims', () => {
  it('never equates a number with a string or a boolean with a string', () => {
    assert.equal(decide('Equals("level", "3")'), false);
    assert.equal(decide('Equals("verified", "true")'), false);
    assert.equal(decide('Equals("zero", false)'), false);
    assert.equal(decide('Contains("mixed", 2)'), false);
    assert.equal(decide('Contains("mixed", "1")'), false);
    assert.equal(decide('OneOf("level", "3")'), false);
    assert.equal(decide('Contains("level", "3")'), false);
  });

  it('makes every function false for a missing claim, so ! makes it true', () => {
    const rules = [
      'Equals("missing", "x")',
      'Contains("missing", "x")',
      'Prefix("missing", "")',
      'OneOf("missing", "x", 1)',
      'SplitContains("missing", " ", "")',
      'Equals("address.missing", "x")',
      'Equals("grp.deeper", "x")',
    ];
    for (const rule of rules) {
      assert.equal(decide(rule), false, rule);
      assert.equal(decide(`!${rule}`), true, `!${rule}`);
    }
  });

  it('treats a null claim like one matching nothing', () => {
    assert.equal(decide('OneOf("nothing", "", 0, false)'), false);
    assert.equal(decide('Prefix("nothing", "")'), false);
  });

  it('never matches nested arrays or objects against a literal', () => {
    assert.equal(decide('Contains("mixed", "nested")'), false);
    assert.equal(decide('OneOf("mixed", "x")'), false);
    assert.equal(decide('Equals("address", "DE")'), false);
  });

  it('works on empty claims', () => {
    assert.equal(decide('Equals("sub", "x") || !Contains("aud", "api")', {}), true);
  });
});
