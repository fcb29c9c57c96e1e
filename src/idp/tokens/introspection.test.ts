/**
 * @module idp/tokens/introspection.test
 * RFC 7662 introspection: every member of an active answer and its order, seed 000's answers byte for
 * byte, every inactive case answering exactly {"active":false}, the caller policy, cross-tenant lookups,
 * hints, RPT permissions, the scope filter and the policy hook.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import type { IntrospectionAnswer } from '../../introspection/types.ts';
import type { Client } from '../model.ts';
import {
  ADMIN_POLICY,
  AUTHKIT_REALM,
  clientCaller,
  type Fixture,
  jwsSegments,
  makeTenant,
  RFC9068_REALM,
  START,
  STATIC_CALLER,
  setup,
  staticCaller,
  UUID,
} from './test-support/fixtures.ts';
import type { Caller, IssueRequest, Realm } from './types.ts';

const INACTIVE = '{"active":false}';

describe('DefaultTokenService.introspect', () => {
  let f: Fixture;
  let app: Client;

  const issue = async (overrides: Partial<IssueRequest> = {}) =>
    (
      await f.service.issue({
        realm: RFC9068_REALM,
        client: app,
        subject: app.clientId,
        scope: ['read', 'write'],
        withRefreshToken: false,
        ...overrides,
      })
    ).access_token;

  const introspect = (
    token: string,
    options: { caller?: Caller; realm?: Realm; hint?: string; scopeFilter?: string[] } = {},
  ): Promise<IntrospectionAnswer> =>
    f.service.introspect({
      realm: options.realm ?? RFC9068_REALM,
      token,
      tokenTypeHint: options.hint,
      caller: options.caller ?? STATIC_CALLER,
      scopeFilter: options.scopeFilter,
    });

  const assertInactive = async (token: string, options: Parameters<typeof introspect>[1] = {}, name = '') =>
    assert.equal(JSON.stringify(await introspect(token, options)), INACTIVE, name);

  beforeEach(async () => {
    f = await setup();
    app = await f.client({ audience: ['https://api.example'] });
  });

  describe('active answers', () => {
    it('answers every member of an RFC 9068 access token, in order', async () => {
      const user = await f.user({ username: 'alice' });
      const token = await issue({ subject: 'alice', user });
      const answer = await introspect(token);
      const { jti } = JSON.parse(jwsSegments(token).payload);
      assert.deepEqual(Object.entries(answer), [
        ['active', true],
        ['scope', 'read write'],
        ['client_id', 'app'],
        ['username', 'alice'],
        ['token_type', 'Bearer'],
        ['exp', START + 3600],
        ['iat', START],
        ['sub', 'alice'],
        ['aud', 'https://api.example'],
        ['iss', RFC9068_REALM.issuer],
        ['jti', jti],
      ]);
    });

    it('answers an opaque token with a jti of its own, never the token', async () => {
      app = await f.client({ tokenFormat: 'opaque' });
      const token = await issue();
      const answer = await introspect(token);
      assert.equal(answer.active, true);
      assert.equal(answer.client_id, 'app');
      assert.equal(answer.sub, 'app');
      assert.equal('username' in answer, false, 'no username for a client token');
      assert.match(answer.jti!, UUID);
      assert.equal(JSON.stringify(answer).includes(token), false);
    });

    it('answers a refresh token with token_type refresh_token and no policies', async () => {
      app = await f.client({ tokenFormat: 'opaque', policies: [ADMIN_POLICY] });
      const { refresh_token } = await f.service.issue({
        realm: RFC9068_REALM,
        client: app,
        subject: 'app',
        scope: ['read'],
        withRefreshToken: true,
      });
      const answer = await introspect(refresh_token!);
      assert.equal(answer.active, true);
      assert.equal(answer.token_type, 'refresh_token');
      assert.equal(answer.scope, 'read');
      assert.equal(answer.exp, START + 86_400);
    });

    it("answers seed 000's user exactly: {active, iss, sub, exp, jti}", async () => {
      const client = await f.client({ clientId: 'idp-test' });
      const user = await f.user({ username: 'user' });
      const { access_token } = await f.service.issue({
        realm: AUTHKIT_REALM,
        client,
        subject: 'user',
        user,
        scope: [],
        withRefreshToken: false,
      });
      const { jti } = JSON.parse(jwsSegments(access_token).payload);
      const answer = await introspect(access_token, { realm: AUTHKIT_REALM });
      assert.equal(
        JSON.stringify(answer),
        `{"active":true,"iss":"http://127.0.0.1:8081","sub":"user","exp":${START + 3600},"jti":"${jti}"}`,
      );
    });

    it("adds admin2's introspection-time policy to seed 000's answer, exactly as the seed shows", async () => {
      const client = await f.client({ clientId: 'idp-test' });
      const admin2 = await f.user({ username: 'admin2', introspectionPolicies: [ADMIN_POLICY] });
      const { access_token } = await f.service.issue({
        realm: AUTHKIT_REALM,
        client,
        subject: 'admin2',
        user: admin2,
        scope: [],
        withRefreshToken: false,
      });
      const { payload } = jwsSegments(access_token);
      assert.equal(JSON.parse(payload).scope, undefined, 'not in the token');
      const { jti } = JSON.parse(payload);
      assert.equal(
        JSON.stringify(await introspect(access_token, { realm: AUTHKIT_REALM })),
        `{"active":true,"iss":"http://127.0.0.1:8081","sub":"admin2","exp":${START + 3600},"jti":"${jti}",` +
          '"scope":[{"rn":"my_service","role":"admin"}]}',
      );
    });

    it('merges token and introspection-time policies without duplicates', async () => {
      const reader = { rn: 'other', role: 'reader' };
      const admin = await f.user({
        username: 'admin',
        policies: [ADMIN_POLICY],
        introspectionPolicies: [{ role: 'admin', rn: 'my_service' }, reader],
      });
      const token = await issue({ realm: AUTHKIT_REALM, subject: 'admin', user: admin, scope: [] });
      const answer = await introspect(token, { realm: AUTHKIT_REALM });
      assert.deepEqual(answer.scope, [ADMIN_POLICY, reader]);
    });

    it('keeps only the policies of the scope filter namespaces (go-authkit scope_filter)', async () => {
      app = await f.client({
        policies: [ADMIN_POLICY, { rn: 'billing', role: 'viewer' }, { role: 'global' }],
      });
      const token = await issue({ realm: AUTHKIT_REALM, scope: [] });
      const filtered = await introspect(token, { realm: AUTHKIT_REALM, scopeFilter: ['my_service'] });
      assert.deepEqual(filtered.scope, [ADMIN_POLICY]);
      const none = await introspect(token, { realm: AUTHKIT_REALM, scopeFilter: ['unknown'] });
      assert.equal('scope' in none, false);
      const all = await introspect(token, { realm: AUTHKIT_REALM, scopeFilter: [] });
      assert.equal((all.scope as unknown[]).length, 3);
    });

    it('puts policies in scope and OAuth scopes in scp for RFC 9068 tokens of a subject with policies', async () => {
      const user = await f.user({ username: 'bob', introspectionPolicies: [ADMIN_POLICY] });
      const token = await issue({ subject: 'bob', user });
      const answer = await introspect(token);
      assert.deepEqual(answer.scope, [ADMIN_POLICY]);
      assert.equal(answer.scp, 'read write');
      assert.deepEqual(Object.keys(answer).slice(0, 4), ['active', 'scope', 'scp', 'client_id']);
    });

    it("adds the subject's permissions for token_type_hint=requesting_party_token (seed 001)", async () => {
      const permission = {
        resource_id: '90ccc6fc-b296-4cd1-881e-089e1ee15957',
        resource_name: 'Hello World Resource',
      };
      app = await f.client({ permissions: [permission] });
      const token = await issue();
      const rpt = await introspect(token, { hint: 'requesting_party_token' });
      assert.deepEqual(rpt.permissions, [permission]);
      assert.equal(Object.keys(rpt).at(-1), 'permissions');
      assert.equal('permissions' in (await introspect(token)), false, 'only when asked');

      const user = await f.user({ username: 'carol', permissions: [{ rsname: 'photos', scopes: ['view'] }] });
      const userToken = await issue({ subject: 'carol', user });
      const answer = await introspect(userToken, { hint: 'requesting_party_token' });
      assert.deepEqual(answer.permissions, [{ rsname: 'photos', scopes: ['view'] }]);
    });

    it('ignores hints that do not match the token, and unknown hints', async () => {
      app = await f.client({ tokenFormat: 'opaque' });
      const { access_token, refresh_token } = await f.service.issue({
        realm: RFC9068_REALM,
        client: app,
        subject: 'app',
        scope: [],
        withRefreshToken: true,
      });
      const jwt = await issue({ client: await f.client({ clientId: 'jwt-app' }) });
      for (const hint of ['refresh_token', 'access_token', 'bogus', '', undefined]) {
        assert.equal((await introspect(access_token, { hint })).active, true, `access, ${hint}`);
        assert.equal((await introspect(refresh_token!, { hint })).active, true, `refresh, ${hint}`);
        assert.equal((await introspect(jwt, { hint })).active, true, `jwt, ${hint}`);
      }
    });
  });

  describe('inactive answers: exactly {"active":false}', () => {
    it('for unknown tokens and garbage', async () => {
      const jwt = await issue();
      const [header, payload, signature] = jwt.split('.');
      const none = Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url');
      const tampered = JSON.parse(jwsSegments(jwt).payload);
      tampered.sub = 'admin';
      const cases = {
        empty: '',
        random: 'x'.repeat(43),
        dots: '...',
        'three segments': 'a.b.c',
        'alg none': `${none}.${payload}.`,
        'alg none, kid': `${Buffer.from(JSON.stringify({ ...JSON.parse(jwsSegments(jwt).header), alg: 'none' })).toString('base64url')}.${payload}.`,
        'truncated signature': `${header}.${payload}.${signature.slice(0, -4)}`,
        'no signature': `${header}.${payload}`,
        'tampered payload': `${header}.${Buffer.from(JSON.stringify(tampered)).toString('base64url')}.${signature}`,
        'header not JSON': `${Buffer.from('{not json').toString('base64url')}.${payload}.${signature}`,
        huge: 'a'.repeat(100_000),
        unicode: 'ünïcödé.tökén.☃',
      };
      for (const [name, token] of Object.entries(cases)) await assertInactive(token, {}, name);
    });

    it('for a JWT signed with our key but without typ at+jwt', async () => {
      const key = await f.keys.activeKey('default');
      const token = await issue();
      const { jti } = JSON.parse(jwsSegments(token).payload);
      const forged = await new SignJWT({ iss: RFC9068_REALM.issuer, jti })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .sign(key.privateKey);
      await assertInactive(forged);
    });

    it('for an expired token, from its exp on', async () => {
      const token = await issue();
      f.clock.now = START + 3599;
      assert.equal((await introspect(token)).active, true);
      f.clock.now = START + 3600;
      await assertInactive(token);
    });

    it('for a token not yet valid (issued in the future beyond the clock-skew leeway)', async () => {
      f.clock.now = START + 3000;
      const token = await issue();
      f.clock.now = START + 3000 - 30;
      assert.equal((await introspect(token)).active, true, 'within the leeway');
      f.clock.now = START;
      await assertInactive(token);
    });

    it('for a revoked token', async () => {
      const token = await issue();
      await f.service.revoke(RFC9068_REALM, token, undefined, clientCaller(app));
      await assertInactive(token);
    });

    it('for a token of a disabled or deleted client, or of a disabled or deleted user', async () => {
      const token = await issue();
      await f.store.clients.put({ ...app, disabled: true });
      await assertInactive(token, {}, 'disabled client');
      await f.store.clients.delete('default', 'app');
      await assertInactive(token, {}, 'deleted client');

      app = await f.client({ clientId: 'app2' });
      const user = await f.user({ username: 'dave' });
      const userToken = await issue({ subject: 'dave', user });
      await f.store.users.put({ ...user, disabled: true });
      await assertInactive(userToken, {}, 'disabled user');
      await f.store.users.delete('default', 'dave');
      await assertInactive(userToken, {}, 'deleted user');
    });

    it('for a caller not allowed to see the token', async () => {
      const token = await issue();
      const stranger = await f.client({ clientId: 'stranger' });
      await assertInactive(token, { caller: clientCaller(stranger) });
    });

    it('for a token of another tenant that does not allow cross-tenant introspection', async () => {
      await f.store.tenants.put(makeTenant('acme'));
      const acmeClient = await f.client({ tenant: 'acme', clientId: 'app' });
      const acme: Realm = { ...RFC9068_REALM, tenant: 'acme', issuer: 'https://idp.example/t/acme' };
      const jwt = await issue({ realm: acme, client: acmeClient });
      const opaque = await issue({ realm: acme, client: { ...acmeClient, tokenFormat: 'opaque' } });
      await assertInactive(jwt, {}, 'jwt');
      await assertInactive(opaque, {}, 'opaque');
      assert.equal((await introspect(jwt, { realm: acme, caller: staticCaller('acme') })).active, true);
    });
  });

  describe('cross-tenant introspection', () => {
    let acme: Realm;
    let jwt: string;
    let opaque: string;
    beforeEach(async () => {
      await f.store.tenants.put(makeTenant('acme', true));
      const acmeClient = await f.client({ tenant: 'acme', clientId: 'acme-app' });
      acme = { ...RFC9068_REALM, tenant: 'acme', issuer: 'https://idp.example/t/acme' };
      jwt = await issue({ realm: acme, client: acmeClient });
      opaque = await issue({ realm: acme, client: { ...acmeClient, tokenFormat: 'opaque' } });
    });

    it("finds another tenant's JWT and opaque token when that tenant allows it", async () => {
      for (const token of [jwt, opaque]) {
        const answer = await introspect(token);
        assert.equal(answer.active, true);
        assert.equal(answer.iss, 'https://idp.example/t/acme');
        assert.equal(answer.client_id, 'acme-app');
      }
    });

    it('lets only explicitly allowed callers of the other tenant see them', async () => {
      const reader = await f.client({ clientId: 'reader', canIntrospect: true });
      assert.equal((await introspect(opaque, { caller: clientCaller(reader) })).active, true);
      // Own-client and audience rules hold only within a tenant: an `acme-app` of `default` is not acme's.
      const namesake = await f.client({ clientId: 'acme-app' });
      await assertInactive(opaque, { caller: clientCaller(namesake) });
    });
  });

  describe('caller policy', () => {
    let token: string;
    beforeEach(async () => {
      token = await issue();
    });

    const allowed = async (caller: Caller) => (await introspect(token, { caller })).active;

    it("allows the token's own client, a client in its aud, and a client with canIntrospect", async () => {
      assert.equal(await allowed(clientCaller(app)), true);
      const api = await f.client({ clientId: 'https://api.example' });
      assert.equal(await allowed(clientCaller(api)), true);
      const introspector = await f.client({ clientId: 'introspector', canIntrospect: true });
      assert.equal(await allowed(clientCaller(introspector)), true);
    });

    it('refuses a disabled caller, and a public (none) client other than the owner', async () => {
      const introspector = await f.client({ clientId: 'introspector', canIntrospect: true, disabled: true });
      assert.equal(await allowed(clientCaller(introspector)), false);
      const pub = await f.client({ clientId: 'public', canIntrospect: true });
      assert.equal(await allowed(clientCaller(pub, 'none')), false);
      assert.equal(await allowed(clientCaller(app, 'none')), true);
    });

    it('allows a user only with canIntrospect (WSO2)', async () => {
      assert.equal(await allowed({ kind: 'user', user: await f.user({ canIntrospect: true }) }), true);
      assert.equal(await allowed({ kind: 'user', user: await f.user({ username: 'plain' }) }), false);
    });

    it("allows a bearer caller whose token's client has canIntrospect and whose token is current", async () => {
      const introspector = await f.client({
        clientId: 'introspector',
        canIntrospect: true,
        tokenFormat: 'opaque',
      });
      const bearer = await issue({ client: introspector, subject: 'introspector' });
      const record = (await f.service.find(RFC9068_REALM, bearer))!;
      assert.equal(await allowed({ kind: 'bearer', token: record, client: introspector }), true);
      assert.equal(
        await allowed({ kind: 'bearer', token: { ...record, revokedAt: START }, client: introspector }),
        false,
      );
      assert.equal(await allowed({ kind: 'bearer', token: record, client: undefined }), false);
      const plain = (await f.service.find(RFC9068_REALM, await issue()))!;
      assert.equal(await allowed({ kind: 'bearer', token: plain, client: app }), false);
    });

    it('lets the introspectionPolicy hook veto, with the caller, token record and realm', async () => {
      const seen: unknown[] = [];
      f = await setup({
        introspectionPolicy: (caller, record, realm) => {
          seen.push([caller.kind, record.clientId, realm.tenant]);
          return caller.kind !== 'static';
        },
      });
      app = await f.client({ audience: ['https://api.example'] });
      token = await issue();
      await assertInactive(token);
      assert.equal(await allowed(clientCaller(app)), true);
      assert.deepEqual(seen, [
        ['static', 'app', 'default'],
        ['client', 'app', 'default'],
      ]);
    });

    it('never asks the hook when the default policy already refused', async () => {
      let calls = 0;
      f = await setup({
        introspectionPolicy: async () => {
          calls++;
          return true;
        },
      });
      app = await f.client();
      token = await issue();
      await assertInactive(token, { caller: clientCaller(await f.client({ clientId: 'stranger' })) });
      assert.equal(calls, 0);
    });
  });
});
