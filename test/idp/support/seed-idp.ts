/**
 * @module test/idp/support/seed-idp
 * The IdP of seed 000 for end-to-end tests: `createIdp` on 127.0.0.1 port 0 with the memory store, the
 * clients `user` / `admin` / `admin2` of go-authkit's example IdP, the static introspection token, and a
 * WSO2-style tenant `foo.com` with its Basic user `admin@foo.com`. Plus the HTTP helpers the suites share:
 * Basic headers, form posts with fetch, and raw requests (fetch normalizes `..` and rejects odd bytes, a
 * raw node:http request sends exactly what a test says).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { IdpConfigInput } from '../../../src/idp/config/schema.ts';
import { createIdp, type Idp } from '../../../src/idp/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';

export const STATIC_TOKEN = 'access-token-with-introspection-permission';
export const ADMIN_POLICY = { rn: 'my_service', role: 'admin' };

/** Seed 000's clients and static token, and a WSO2-style tenant. `overrides` replace top-level keys. */
export function seedConfig(overrides: IdpConfigInput = {}): IdpConfigInput {
  return {
    port: 0,
    store: 'memory',
    tenants: [{ id: 'foo.com' }],
    clients: [
      { id: 'user', secret: 'user-pwd' },
      { id: 'admin', secret: 'admin-pwd', policies: [ADMIN_POLICY] },
      { id: 'admin2', secret: 'admin2-pwd', introspectionPolicies: [ADMIN_POLICY] },
      { id: 'svc', secret: 'svc-secret', scopes: ['read', 'write'], grantTypes: ['client_credentials'] },
      {
        id: 'wso2-app',
        tenant: 'foo.com',
        secret: 'wso2-secret',
        tokenFormat: 'opaque',
        scopes: ['test1', 'test2'],
      },
    ],
    users: [{ username: 'admin', tenant: 'foo.com', password: 'admin', canIntrospect: true }],
    introspection: { staticTokens: [{ token: STATIC_TOKEN, name: 'seed-000' }] },
    ...overrides,
  };
}

export function startSeedIdp(overrides: IdpConfigInput = {}): Promise<Idp> {
  return createIdp(seedConfig(overrides), { logger: silentLogger });
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}

/** POSTs a form (`application/x-www-form-urlencoded`) to `url` with fetch. */
export async function postForm(
  url: string,
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

/** A token of `client` from the authkit endpoint (seed 000's curl: Basic, no grant_type). */
export async function authkitToken(idp: Idp, client: string, secret: string): Promise<string> {
  const response = await fetch(`${idp.url}/idp/token`, {
    method: 'POST',
    headers: { authorization: basic(client, secret) },
  });
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request sent exactly as given (path not normalized, body bytes as they are). */
export function rawRequest(
  base: string,
  options: {
    method: string;
    path: string;
    headers?: Record<string, string | number>;
    body?: Buffer | string;
  },
): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: hostname, port, method: options.method, path: options.path, headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}
