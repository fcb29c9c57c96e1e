/**
 * @module test/support/stub-idp
 * A small real IdP for the library's tests, on 127.0.0.1 port 0: discovery, JWKS, RFC 7662 introspection
 * and a client-credentials token endpoint. It signs real JWTs (jose) and verifies them when introspecting.
 * Tests steer its answers (`idp.answer`) and read what it received (`idp.calls`).
 * (The project's own IdP replaces it in integration tests once it exists.)
 */
import { createServer, type IncomingMessage } from 'node:http';
import { exportJWK, generateKeyPair, type JWK, jwtVerify, SignJWT } from 'jose';
import { closeServer, listen, readBody, sendJson } from './loopback.ts';

export interface StubAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
  /** Delay before answering, in ms (for timeout tests). */
  delayMs?: number;
}

export interface IntrospectionCall {
  form: URLSearchParams;
  headers: IncomingMessage['headers'];
}

export interface StubIdp {
  readonly url: string;
  readonly issuer: string;
  /** Introspection requests received. */
  readonly calls: IntrospectionCall[];
  /** Requests per path. */
  readonly hits: Map<string, number>;
  /** Overrides the introspection answer; default: verify the JWT / look up the opaque token. */
  answer?: (call: IntrospectionCall) => StubAnswer | Promise<StubAnswer>;
  /** Claims added to active introspection answers of a subject (seed 000: admin2's role). */
  extraClaims: Map<string, Record<string, unknown>>;
  /** Opaque tokens and their claims. */
  opaque: Map<string, Record<string, unknown>>;
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function startStubIdp(): Promise<StubIdp> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'stub-key-1', alg: 'RS256', use: 'sig' };
  const hits = new Map<string, number>();
  const calls: IntrospectionCall[] = [];
  let base = '';

  const idp: StubIdp = {
    get url() {
      return base;
    },
    get issuer() {
      return base;
    },
    calls,
    hits,
    extraClaims: new Map(),
    opaque: new Map(),
    async sign(claims, header = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: base, iat: now, exp: now + 3600, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'at+jwt', ...header })
        .sign(privateKey);
    },
    close: () => closeServer(server),
  };

  async function introspect(call: IntrospectionCall): Promise<StubAnswer> {
    const token = call.form.get('token') ?? '';
    if (!token) return { status: 400, body: JSON.stringify({ error: 'invalid_request' }) };
    let claims = idp.opaque.get(token);
    if (!claims) {
      try {
        claims = (await jwtVerify(token, publicKey, { issuer: base })).payload as Record<string, unknown>;
      } catch {
        return { status: 200, body: '{"active":false}' };
      }
    }
    const extra = idp.extraClaims.get(String(claims.sub)) ?? {};
    return { status: 200, body: JSON.stringify({ active: true, token_type: 'Bearer', ...claims, ...extra }) };
  }

  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', base).pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === '/.well-known/openid-configuration') {
      return sendJson(response, 200, {
        issuer: base,
        jwks_uri: `${base}/jwks`,
        introspection_endpoint: `${base}/introspect`,
        token_endpoint: `${base}/token`,
      });
    }
    if (path === '/jwks') return sendJson(response, 200, { keys: [jwk] });
    if (path === '/introspect' && request.method === 'POST') {
      const call = { form: new URLSearchParams(await readBody(request)), headers: request.headers };
      calls.push(call);
      const answer = await (idp.answer ?? introspect)(call);
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      if (response.destroyed) return;
      return sendJson(response, answer.status, answer.body, answer.headers);
    }
    if (path === '/token' && request.method === 'POST') {
      await readBody(request);
      return sendJson(response, 200, {
        access_token: 'introspector-token',
        token_type: 'Bearer',
        expires_in: 3600,
      });
    }
    sendJson(response, 404, { error: 'not_found' });
  });
  base = await listen(server);
  return idp;
}
