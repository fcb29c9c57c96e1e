/**
 * Scenario 5: local JWT verification (RS256 and ES256, keys from JWKS by discovery) with the verified-claims
 * cache vs without it, in process on one core. Rounds alternate cached / uncached; each configuration runs
 * its own authenticator so the caches never meet. The claims cache skips the signature check on a repeated
 * token; claims validation (exp, nbf, iss, aud) and authorization still run on every call.
 */

import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { requireScopes } from '../src/authz/scopes.ts';
import { createAuthenticator } from '../src/pipeline/create-authenticator.ts';
import { closeServer, listen, sendJson } from '../test/support/loopback.ts';
import { median, rounds, save } from './lib.ts';

const ALGORITHMS = ['RS256', 'ES256'] as const;
const keys = await Promise.all(
  ALGORITHMS.map(async (alg) => {
    const { privateKey, publicKey } = await generateKeyPair(alg);
    return { alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid: alg, alg, use: 'sig' } };
  }),
);

let issuer = '';
const server = createServer((request, response) => {
  if (request.url === '/.well-known/openid-configuration') {
    return sendJson(response, 200, { issuer, jwks_uri: `${issuer}/jwks` });
  }
  if (request.url === '/jwks') return sendJson(response, 200, { keys: keys.map((key) => key.jwk) });
  sendJson(response, 404, {});
});
issuer = await listen(server);

const authorize = requireScopes(['read']);
const N = 20_000;

async function opsPerSecond(check: () => Promise<unknown>, n: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await check();
  return n / ((performance.now() - start) / 1000);
}

const figures: Record<string, number> = {};
for (const key of keys) {
  const token = await new SignJWT({ scope: 'read write', sub: 'bench' })
    .setProtectedHeader({ alg: key.alg, kid: key.jwk.kid, typ: 'at+jwt' })
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key.privateKey);
  const request = { headers: { authorization: `Bearer ${token}` } };
  const make = (cached: boolean) =>
    createAuthenticator({
      config: { jwt: { trustedIssuerUrls: [issuer], claimsCache: { enabled: cached } } },
    });
  const cached = make(true);
  const uncached = make(false);
  await cached.check(request, { authorize });
  await uncached.check(request, { authorize });
  const samples = { cached: [] as number[], uncached: [] as number[] };
  for (let round = 0; round < rounds(5); round++) {
    samples.uncached.push(await opsPerSecond(() => uncached.check(request, { authorize }), N / 10));
    samples.cached.push(await opsPerSecond(() => cached.check(request, { authorize }), N));
  }
  const withCache = median(samples.cached);
  const without = median(samples.uncached);
  figures[`${key.alg}: with claims cache, checks/s`] = Math.round(withCache);
  figures[`${key.alg}: without (signature verified every time), checks/s`] = Math.round(without);
  figures[`${key.alg}: ratio cached / uncached`] = Number((withCache / without).toFixed(1));
  await cached.close();
  await uncached.close();
}

save({
  scenario: 'jwt-cache',
  figures,
  notes: [
    'in process, awaited sequential checks, median of rounds; rounds alternate uncached / cached',
    'both paths validate exp/nbf/iss and run requireScopes(read) on every call; only the signature check is skipped on a hit',
  ],
});
await closeServer(server);
