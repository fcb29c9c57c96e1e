/**
 * Quickstart (`npm start`): a service on 127.0.0.1:8080 protected by tokenguard, and a demo issuer on
 * 127.0.0.1:8081 that publishes discovery + JWKS and mints tokens, so the whole flow runs on one machine
 * with no set-up. Prints curl commands to try. Ports: PORT and ISSUER_PORT.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { protect } from '../../src/adapters/node-http.ts';
import { createAuthenticator, createLogger, requireRole, withAccessLog } from '../../src/index.ts';

const host = '127.0.0.1';
const port = Number(process.env.PORT ?? 8080);
const issuerPort = Number(process.env.ISSUER_PORT ?? 8081);
const issuer = `http://${host}:${issuerPort}`;
const logger = createLogger();

// The demo issuer: discovery and JWKS, as any OIDC provider publishes them.
const { privateKey, publicKey } = await generateKeyPair('ES256');
const jwk = { ...(await exportJWK(publicKey)), kid: 'demo-1', alg: 'ES256', use: 'sig' };
const issuerServer = createServer((request, response) => {
  const documents: Record<string, unknown> = {
    '/.well-known/openid-configuration': { issuer, jwks_uri: `${issuer}/keys` },
    '/keys': { keys: [jwk] },
  };
  const document = documents[request.url ?? ''];
  response.writeHead(document ? 200 : 404, { 'content-type': 'application/json' });
  response.end(JSON.stringify(document ?? { error: 'not_found' }));
});
issuerServer.listen(issuerPort, host);
await once(issuerServer, 'listening');

const mint = (sub: string, claims: Record<string, unknown> = {}) =>
  new SignJWT({ sub, ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'demo-1', typ: 'at+jwt' })
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);

// The protected service: local JWT verification with the issuer found by discovery.
const auth = createAuthenticator({
  config: { errorDomain: 'MyService', jwt: { trustedIssuerUrls: [issuer], requireType: 'at+jwt' } },
  logger,
});
const hello = protect(auth, (_request, response, principal) => response.end(`Hello, ${principal.subject}`), {
  logger,
});
const admin = protect(auth, (_request, response, principal) => response.end(`Hi, ${principal.subject}`), {
  logger,
  authorize: requireRole({ namespace: 'my_service', role: 'admin' }),
});
const service = createServer(
  withAccessLog(logger, (request, response) => (request.url === '/admin' ? admin : hello)(request, response)),
);
service.listen(port, host);
await once(service, 'listening');

const userToken = await mint('user');
const adminToken = await mint('admin', { scope: [{ rn: 'my_service', role: 'admin' }] });
process.stderr.write(
  [
    `tokenguard quickstart: service on http://${host}:${port}, issuer on ${issuer}`,
    'Try:',
    `  curl ${host}:${port}`,
    `  curl ${host}:${port} -H"Authorization: Bearer ${userToken}"`,
    `  curl ${host}:${port}/admin -H"Authorization: Bearer ${userToken}"`,
    `  curl ${host}:${port}/admin -H"Authorization: Bearer ${adminToken}"`,
    'Ctrl-C stops it.',
    '',
  ].join('\n'),
);

const stop = async () => {
  service.close();
  issuerServer.close();
  await auth.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
