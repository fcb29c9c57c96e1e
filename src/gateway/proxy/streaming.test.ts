/**
 * @module gateway/proxy/streaming.test
 * 200 MB each way through the proxy with flat memory: client, gateway and upstream share this process,
 * so any buffering of the body anywhere on the path would show in its resident set size.
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
/** Far below the body: buffering even half of it would exceed this. */
const MAX_RSS_GROWTH = 100 * 1024 * 1024;
const BLOCK = randomBytes(64 * 1024);

/** `SIZE` bytes made on demand (the block, with a counter stamped in, so chunks differ), hashed as sent. */
function generated(hash: Hash): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= SIZE) return void this.push(null);
      const chunk = Buffer.from(BLOCK);
      chunk.writeUInt32BE(sent / BLOCK.length, 0);
      sent += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

/** Size and SHA-256 of a received body. */
async function digest(body: AsyncIterable<unknown>): Promise<{ size: number; hash: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
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
    const upstreamServer = await startServer(async (req, res) => {
      if (req.method === 'POST') {
        res.end(JSON.stringify(await digest(req)));
      } else {
        res.writeHead(200, { 'content-length': String(SIZE) });
        await pipeline(generated(sentDown), res);
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
          pipeline(generated(sentUp), req).catch(reject);
        }),
    );
    assert.deepEqual(JSON.parse(upload.result), { size: SIZE, hash: sentUp.digest('hex') });
    assert.ok(upload.growth < MAX_RSS_GROWTH, `RSS grew ${upload.growth >> 20} MB during the upload`);

    const download = await measured(
      () =>
        new Promise<{ size: number; hash: string }>((resolve, reject) => {
          const req = httpRequest(`${gateway.url}/down`, { agent: false });
          req.on('response', (res) => digest(res).then(resolve, reject));
          req.on('error', reject);
          req.end();
        }),
    );
    assert.deepEqual(download.result, { size: SIZE, hash: sentDown.digest('hex') });
    assert.ok(download.growth < MAX_RSS_GROWTH, `RSS grew ${download.growth >> 20} MB during the download`);
  });
});
