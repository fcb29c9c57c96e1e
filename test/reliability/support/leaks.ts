/**
 * @module test/reliability/support/leaks
 * Looking for secrets where they must never be: log lines and error bodies. A `SecretSet` holds every
 * secret a scenario used (client secrets, passwords, issued tokens, private keys, Basic credentials) in each
 * form it could leak in: as it is, URL-encoded, the base64 of a Basic header, the body lines of a PEM key,
 * the `d` (and the other private members) of a JWK. Any JWT-shaped string is a leak as well, whoever's it is.
 */
import assert from 'node:assert/strict';

/** A compact JWS whose header and payload are JSON objects (base64url of `{"`): a JWT, somebody's. */
export const JWT_SHAPE = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

/** Secrets shorter than this are not looked for: they would match ordinary words of a log line. */
const MIN_LENGTH = 8;

export class SecretSet {
  readonly #needles = new Map<string, string>();
  /** Needles by their first MIN_LENGTH characters: one pass over a text finds every candidate. */
  #index: Map<string, string[]> | undefined;

  /** Registers a secret (and its URL-encoded form) under a label shown when it leaks. */
  add(label: string, secret: string): this {
    if (secret.length < MIN_LENGTH)
      throw new Error(`${label}: secrets of a leak test need ${MIN_LENGTH}+ characters`);
    this.#put(secret, label);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) this.#put(encoded, `${label} (URL-encoded)`);
    return this;
  }

  /** A client id and secret, and the Basic credential string made of them. */
  addBasic(label: string, id: string, secret: string): this {
    this.add(`${label} secret`, secret);
    this.#put(Buffer.from(`${id}:${secret}`).toString('base64'), `${label} Basic credentials`);
    return this;
  }

  /** A PEM private key: each base64 line of its body (any one of them is enough to be a leak). */
  addPem(label: string, pem: string): this {
    const body = pem.split('\n').filter((line) => line.length >= 40 && !line.startsWith('-----'));
    for (const line of body) this.#put(line.trim(), `${label} (PEM body)`);
    return this;
  }

  /** The private members of a JWK (`d`, and `p`, `q`, `dp`, `dq`, `qi` of RSA keys; `k` of an oct key). */
  addJwk(label: string, jwk: Record<string, unknown>): this {
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) {
      const value = jwk[member];
      if (typeof value === 'string' && value.length >= MIN_LENGTH) this.#put(value, `${label} JWK ${member}`);
    }
    return this;
  }

  #put(needle: string, label: string): void {
    this.#needles.set(needle, label);
    this.#index = undefined;
  }

  get size(): number {
    return this.#needles.size;
  }

  /** What leaked into `text`: labels of the secrets found, plus `a JWT-shaped string` if one is there. */
  leaksIn(text: string): string[] {
    const index = this.#buildIndex();
    const found = new Set<string>();
    for (let at = 0; at + MIN_LENGTH <= text.length; at++) {
      const candidates = index.get(text.slice(at, at + MIN_LENGTH));
      if (candidates === undefined) continue;
      for (const needle of candidates) if (text.startsWith(needle, at)) found.add(this.#needles.get(needle)!);
    }
    if (JWT_SHAPE.test(text)) found.add('a JWT-shaped string');
    return [...found];
  }

  #buildIndex(): Map<string, string[]> {
    if (this.#index) return this.#index;
    const index = new Map<string, string[]>();
    for (const needle of this.#needles.keys()) {
      const key = needle.slice(0, MIN_LENGTH);
      const list = index.get(key);
      if (list) list.push(needle);
      else index.set(key, [needle]);
    }
    this.#index = index;
    return index;
  }
}

/** Asserts that none of `texts` (log lines, bodies) holds a secret of `secrets`; names the first offender. */
export function assertNoLeaks(texts: Iterable<string>, secrets: SecretSet, where: string): number {
  let scanned = 0;
  for (const text of texts) {
    scanned++;
    const leaks = secrets.leaksIn(text);
    assert.deepEqual(leaks, [], `${where}: ${leaks.join(', ')} in ${text.slice(0, 300)}`);
  }
  return scanned;
}
