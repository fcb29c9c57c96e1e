/**
 * @module gateway/proxy/tls.test
 * https upstreams: the spec's CA file verifies the upstream's certificate for plain requests and for
 * WebSocket handshakes; without that CA the certificate is refused (502), never silently accepted.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { closeServer, listen, sendJson } from '../../../test/support/loopback.ts';
import { createTestPki, type TestPki } from '../../introspection/test-support/pki.ts';
import { specFor, startGateway, teardown } from './test-support/harness.ts';
import { webSocketEcho } from './test-support/ws-echo.ts';
import type { UpstreamSpec } from './types.ts';
import { createUpstream } from './upstream.ts';

describe('https upstreams', () => {
  let pki: TestPki;
  let origin: string;
  const server = createServer();
  const client = new Agent({ keepAliveTimeout: 10 });
  const cleanups = teardown();

  before(async () => {
    pki = createTestPki('gateway');
    server.setSecureContext({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) });
    server.on('request', (req, res) => sendJson(res, 200, { secure: true, path: req.url }));
    server.on('upgrade', webSocketEcho());
    origin = await listen(server);
  });

  after(async () => {
    await client.close();
    await closeServer(server);
    pki.remove();
  });

  async function gatewayWith(tls: UpstreamSpec['tls']) {
    const upstream = createUpstream(specFor([`${origin}/base`], { tls }));
    const gateway = await startGateway(upstream);
    cleanups(() => upstream.close({ tunnels: 'destroy' }), gateway.close);
    return gateway;
  }

  it('verifies the upstream against the configured CA, for requests and WebSockets', async () => {
    const gateway = await gatewayWith({ caCert: pki.caCert, rejectUnauthorized: true });
    const response = await request(`${gateway.url}/x?y=1`, { dispatcher: client });
    assert.deepEqual(await response.body.json(), { secure: true, path: '/base/x?y=1' });

    const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/ws`);
    await once(socket, 'open');
    socket.send('over tls');
    const [message] = (await once(socket, 'message')) as [MessageEvent];
    assert.equal(message.data, 'over tls');
    socket.close();
    await once(socket, 'close');
  });

  it('refuses an upstream certificate it cannot verify (502)', async () => {
    const gateway = await gatewayWith({ rejectUnauthorized: true });
    const response = await request(`${gateway.url}/x`, { dispatcher: client });
    assert.equal(response.statusCode, 502);
    await response.body.dump();
    assert.equal(gateway.outcomes[0].kind, 'failed');
  });
});
