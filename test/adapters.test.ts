/**
 * One suite, every adapter: node:http, Express and Fastify servers on loopback answer the same requests
 * the same way (seed 000's bodies and statuses, RFC 6750 challenges, 503 + Retry-After).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { authenticate } from '../src/adapters/express.ts';
import { tokenguard } from '../src/adapters/fastify.ts';
import { protect } from '../src/adapters/node-http.ts';
import { requireRole } from '../src/authz/roles.ts';
import type { Authenticator } from '../src/pipeline/authenticator.ts';
import { createAuthenticator } from '../src/pipeline/create-authenticator.ts';
import { closeServer, listen } from './support/loopback.ts';
import { type StubIdp, startStubIdp } from './support/stub-idp.ts';

interface Running {
  url: string;
  close(): Promise<void>;
}

/** Serves `server` on loopback (127.0.0.1, port 0). */
async function run(server: Server): Promise<Running> {
  return { url: await listen(server), close: () => closeServer(server) };
}

const adminRole = requireRole({ namespace: 'my_service', role: 'admin' });

const adapters: Record<string, (auth: Authenticator) => Promise<Running>> = {
  async 'node:http'(auth) {
    const hello = protect(auth, (_req, res, principal) => res.end(`Hello, ${principal.subject}`));
    const admin = protect(auth, (_req, res, principal) => res.end(`Hi, ${principal.subject}`), {
      authorize: adminRole,
    });
    const server = createServer((req, res) =>
      req.url?.startsWith('/admin') ? admin(req, res) : hello(req, res),
    );
    return run(server);
  },
  async express(auth) {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.all('/admin', authenticate(auth, { authorize: adminRole }), (req, res) => {
      res.send(`Hi, ${req.auth?.subject}`);
    });
    app.all('/', authenticate(auth), (req, res) => {
      res.send(`Hello, ${req.auth?.subject}`);
    });
    return run(createServer(app));
  },
  async fastify(auth) {
    const app = Fastify();
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    await app.register(tokenguard, { authenticator: auth });
    app.route({
      method: ['GET', 'POST'],
      url: '/admin',
      config: { authorize: adminRole },
      handler: async (request) => `Hi, ${request.auth?.subject}`,
    });
    app.route({
      method: ['GET', 'POST'],
      url: '/',
      handler: async (request) => `Hello, ${request.auth?.subject}`,
    });
    app.get('/health', { config: { public: true } }, async () => 'ok');
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  },
};

describe('adapters', () => {
  let idp: StubIdp;
  before(async () => {
    idp = await startStubIdp();
    idp.extraClaims.set('admin2', { scope: [{ rn: 'my_service', role: 'admin' }] });
  });
  after(() => idp.close());

  for (const [name, start] of Object.entries(adapters)) {
    describe(name, () => {
      let auth: Authenticator;
      let server: Running;
      before(async () => {
        auth = createAuthenticator({
          config: {
            errorDomain: 'MyService',
            tokenSources: { query: { enabled: true } },
            introspection: {
              endpoint: `${idp.url}/introspect`,
              clientAuth: { accessToken: 'access-token-with-introspection-permission' },
            },
          },
        });
        server = await start(auth);
      });
      after(async () => {
        await server.close();
        await auth.close();
      });

      it('answers 401 bearerTokenMissing with the seed body and a challenge', async () => {
        const response = await fetch(server.url);
        assert.equal(response.status, 401);
        assert.equal(
          await response.text(),
          '{"error":{"domain":"MyService","code":"bearerTokenMissing","message":"Authorization bearer token is missing."}}',
        );
        assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="MyService"');
        assert.match(response.headers.get('content-type') ?? '', /application\/json/);
      });

      it('passes the principal to the handler', async () => {
        const token = await idp.sign({ sub: 'user' });
        const response = await fetch(server.url, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(response.status, 200);
        assert.equal(await response.text(), 'Hello, user');
      });

      it('answers 403 authorizationFailed when the role is missing, and passes when it is granted', async () => {
        const user = await idp.sign({ sub: 'user' });
        const denied = await fetch(`${server.url}/admin`, { headers: { authorization: `Bearer ${user}` } });
        assert.equal(denied.status, 403);
        assert.equal(
          await denied.text(),
          '{"error":{"domain":"MyService","code":"authorizationFailed","message":"Authorization is failed."}}',
        );
        const admin2 = await idp.sign({ sub: 'admin2' });
        const allowed = await fetch(`${server.url}/admin`, {
          headers: { authorization: `bearer ${admin2}` },
        });
        assert.equal(allowed.status, 200);
        assert.equal(await allowed.text(), 'Hi, admin2');
      });

      it('answers 401 authenticationFailed with invalid_token for an inactive token', async () => {
        const response = await fetch(server.url, { headers: { authorization: 'Bearer unknown' } });
        assert.equal(response.status, 401);
        assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
        assert.equal(JSON.parse(await response.text()).error.code, 'authenticationFailed');
      });

      it('answers 503 with Retry-After when the IdP throttles', async () => {
        idp.answer = () => ({ status: 429, body: '', headers: { 'retry-after': '9' } });
        try {
          const response = await fetch(server.url, { headers: { authorization: 'Bearer throttled-token' } });
          assert.equal(response.status, 503);
          assert.equal(response.headers.get('retry-after'), '9');
          assert.equal(JSON.parse(await response.text()).error.code, 'serviceUnavailable');
        } finally {
          idp.answer = undefined;
        }
      });

      it('reads the token from the query when enabled, and refuses it in two places with 400', async () => {
        const token = await idp.sign({ sub: 'user' });
        const fromQuery = await fetch(`${server.url}/?access_token=${token}`);
        assert.equal(await fromQuery.text(), 'Hello, user');
        const twice = await fetch(`${server.url}/?access_token=${token}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(twice.status, 400);
        assert.match(twice.headers.get('www-authenticate') ?? '', /error="invalid_request"/);
        assert.equal(JSON.parse(await twice.text()).error.code, 'invalidRequest');
      });
    });
  }
});
