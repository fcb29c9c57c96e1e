/**
 * A minimal RFC 7662 endpoint for the memory benchmark, run as a child process so its own memory never
 * counts: tokens starting with `v` are active (with a realistic set of claims), every other token is
 * inactive. Prints `{"url":…}` once listening. Keeps nothing per request.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => {
    body += chunk;
  });
  request.on('end', () => {
    const token = new URLSearchParams(body).get('token') ?? '';
    const now = Math.floor(Date.now() / 1000);
    const answer = token.startsWith('v')
      ? {
          active: true,
          token_type: 'Bearer',
          client_id: 'bench-client',
          sub: `user-${token.slice(1, 9)}`,
          iss: 'https://idp.example.com',
          aud: ['https://api.example.com'],
          scope: 'read write',
          iat: now,
          exp: now + 3600,
          jti: token.slice(0, 24),
        }
      : { active: false };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(answer));
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});
