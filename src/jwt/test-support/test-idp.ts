/**
 * @module jwt/test-support/test-idp
 * A real IdP for JWT tests: a loopback HTTP server publishing OIDC discovery and a JWK Set of keys made
 * with jose `generateKeyPair`, and a signer of tokens with those keys. Keys can be added and removed to
 * rotate them; requests are counted per path. Not shipped (see tsconfig.build.json).
 */
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { sendJson } from '../../../test/support/loopback.ts';
import { TestServer } from '../../discovery/test-support/test-server.ts';

export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/jwks';

export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
}

/** Makes a signing key pair for `alg` (jose), with its public JWK carrying `kid`, `alg` and `use`. */
export async function makeKey(alg: string, kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicKey, publicJwk };
}

export interface SignOptions {
  /** Header members added or replaced (`kid: undefined` removes it). */
  header?: Partial<JWTHeaderParameters>;
}

export class TestIdp {
  readonly server: TestServer;
  /** The published keys, by kid. */
  readonly keys = new Map<string, SigningKey>();

  private constructor(server: TestServer) {
    this.server = server;
  }

  /** Starts the server; it publishes discovery (`issuer` = its URL, `jwks_uri` = URL + /jwks) and the set. */
  static async start(): Promise<TestIdp> {
    const idp = new TestIdp(await TestServer.start());
    idp.server.json(DISCOVERY_PATH, { issuer: idp.issuer, jwks_uri: `${idp.issuer}${JWKS_PATH}` });
    idp.publishKeys();
    return idp;
  }

  get issuer(): string {
    return this.server.url;
  }

  /** Serves the current keys at `/jwks` (again after a test replaced that route). */
  publishKeys(): void {
    this.server.routes.set(JWKS_PATH, (_request, response) => {
      const keys = [...this.keys.values()].map((key) => key.publicJwk);
      sendJson(response, 200, { keys }, { 'content-type': 'application/jwk-set+json' });
    });
  }

  /** Generates a key and publishes it in the JWK Set. */
  async addKey(alg: string, kid = `${alg.toLowerCase()}-${this.keys.size + 1}`): Promise<SigningKey> {
    const key = await makeKey(alg, kid);
    this.keys.set(kid, key);
    return key;
  }

  get discoveryHits(): number {
    return this.server.hits(DISCOVERY_PATH);
  }

  get jwksHits(): number {
    return this.server.hits(JWKS_PATH);
  }

  /**
   * Signs `claims` with `key`. Defaults: `iss` = this issuer, `sub`, `iat` = now, `exp` = now + 5 min
   * (`nowSeconds` sets "now"); a claim given as `undefined` is left out.
   */
  async sign(
    key: SigningKey,
    claims: Record<string, unknown> = {},
    options: SignOptions = {},
    nowSeconds?: number,
  ) {
    const now = nowSeconds ?? Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: this.issuer,
      sub: 'user-1',
      iat: now,
      exp: now + 300,
      ...claims,
    };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
    const header: Record<string, unknown> = { alg: key.alg, kid: key.kid, ...options.header };
    for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
    return new SignJWT(payload as JWTPayload)
      .setProtectedHeader(header as JWTHeaderParameters)
      .sign(key.privateKey);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
