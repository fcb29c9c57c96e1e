/**
 * @module gateway/proxy/streaming.test
 * 200 MB each way through the proxy with flat memory. Client, gateway and upstream share this process, so
 * the bytes sent but not yet received at the other end are counted exactly: that is everything buffered on
 * the path (the gateway, its pools, the sockets), and it must stay far below the body. The resident set size
 * is checked too, loosely: it also holds garbage the collector has not reached yet, which under a busy
 * machine can be tens of MB, so it only catches a body held whole.
 */
import assert from 'node:assert/strict';
import { createHash, type Hash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { specFor, startGateway, startServer, teardown } from './test-support/harness.ts';
import { createUpstream } from './upstream.ts';

const SIZE = 200 * 1024 * 1024;
/** Socket buffers and stream high-water marks of two hops, with room: a proxy that buffered would pass it. */
const MAX_IN_FLIGHT = 32 * 1024 * 1024;
/** Holding the whole body would exceed this. */
const MAX_RSS_GROWTH = SIZE;

/** Bytes of one body sent and received so far, and the most ever in flight between the two ends. */
interface Flow {
  sent: number;
  received: number;
  maxInFlight: number;
}

const newFlow = (): Flow => ({ sent: 0, received: 0, maxInFlight: 0 });
const BLOCK = randomBytes(64 * 1024);

/** `SIZE` bytes made on demand (the block, with a counter stamped in, so chunks differ), hashed as sent. */
function generated(hash: Hash, flow: Flow): Readable {
  return new Readable({
    read() {
      if (flow.sent >= SIZE) return void this.push(null);
      const chunk = Buffer.from(BLOCK);
      chunk.writeUInt32BE(flow.sent / BLOCK.length, 0);
      flow.sent += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

/** Size and SHA-256 of a received body; with its flow, notes what was in flight at each chunk. */
async function digest(body: AsyncIterable<unknown>, flow?: Flow): Promise<{ size: number; hash: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
    if (flow) {
      flow.received = size;
      flow.maxInFlight = Math.max(flow.maxInFlight, flow.sent - flow.received);
    }
  }
  return { size, hash: hash.digest('hex') };
}

/** Samples RSS while `work` runs; resolves with its result and the largest growth seen. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage.rss();
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growth: peak - base };
  } finally {
    clearInterval(sampler);
  }
}

describe('streaming', () => {
  const cleanups = teardown();

  it('streams a 200 MB upload and a 200 MB download with flat memory', async () => {
    const sentDown = createHash('sha256');
    const up = newFlow();
    const down = newFlow();
    const upstreamServer = await startServer(async (req, res) => {
      if (req.method === 'POST') {
        res.end(JSON.stringify(await digest(req, up)));
      } else {
        res.writeHead(200, { 'content-length': String(SIZE) });
        await pipeline(generated(sentDown, down), res);
      }
    });
    const upstream = createUpstream(specFor([upstreamServer.url]));
    const gateway = await startGateway(upstream);
    cleanups(upstreamServer.close, () => upstream.close(), gateway.close);

    const sentUp = createHash('sha256');
    const upload = await measured(
      () =>
        new Promise<string>((resolve, reject) => {
          const req = httpRequest(`${gateway.url}/up`, {
            method: 'POST',
            agent: false,
            headers: { 'content-length': String(SIZE) },
          });
          req.on('response', async (res) => {
            let text = '';
            for await (const chunk of res) text += chunk;
            resolve(text);
          });
          req.on('error', reject);
          pipeline(generated(sentUp, up), req).catch(reject);
        }),
    );
    assert.deepEqual(JSON.parse(upload.result), { size: SIZE, hash: sentUp.digest('hex') });
    assert.ok(up.maxInFlight < MAX_IN_FLIGHT, `${up.maxInFlight >> 20} MB were in flight during the upload`);
    assert.ok(upload.growth < MAX_RSS_GROWTH, `RSS grew ${upload.growth >> 20} MB during the upload`);

    const download = await measured(
      () =>
        new Promise<{ size: number; hash: string }>((resolve, reject) => {
          const req = httpRequest(`${gateway.url}/down`, { agent: false });
          req.on('response', (res) => digest(res, down).then(resolve, reject));
          req.on('error', reject);
          req.end();
        }),
    );
    assert.deepEqual(download.result, { size: SIZE, hash: sentDown.digest('hex') });
    assert.ok(
      down.maxInFlight < MAX_IN_FLIGHT,
      `${down.maxInFlight >> 20} MB were in flight during the download`,
    );
    assert.ok(download.growth < MAX_RSS_GROWTH, `RSS grew ${download.growth >> 20} MB during the download`);
    assert.ok(up.maxInFlight > 0 && down.maxInFlight > 0, 'the flows were measured');
  });
});
