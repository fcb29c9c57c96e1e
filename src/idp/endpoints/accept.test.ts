/**
 * @module idp/endpoints/accept.test
 * When an introspection caller gets the RFC 9701 JWT.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { wantsIntrospectionJwt } from './accept.ts';

it('selects the JWT only when asked for explicitly and not less preferred than JSON', () => {
  assert.equal(wantsIntrospectionJwt('application/token-introspection+jwt'), true);
  assert.equal(wantsIntrospectionJwt('application/json, application/token-introspection+jwt'), true);
  assert.equal(
    wantsIntrospectionJwt('Application/Token-Introspection+JWT; q=0.9, application/json; q=0.5'),
    true,
  );
  assert.equal(wantsIntrospectionJwt('application/json, application/token-introspection+jwt; q=0.5'), false);
  assert.equal(wantsIntrospectionJwt('application/token-introspection+jwt; q=0'), false);
  assert.equal(wantsIntrospectionJwt('*/*'), false);
  assert.equal(wantsIntrospectionJwt('application/jwt'), false, 'Keycloak’s application/jwt is not RFC 9701');
  assert.equal(wantsIntrospectionJwt(undefined), false);
});
