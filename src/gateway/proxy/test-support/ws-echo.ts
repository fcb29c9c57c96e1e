/**
 * @module gateway/proxy/test-support/ws-echo
 * The smallest WebSocket server that a real client accepts (RFC 6455): it answers the opening handshake
 * (§4.2.2, `Sec-WebSocket-Accept` = base64(SHA-1(key ‖ GUID))) and echoes every frame back unmasked
 * with its opcode, a close frame included. Enough to check that frames cross the proxy intact.
 * Test code only; not shipped.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** An `upgrade` listener for a node:http server; `seen` receives each handshake request. */
export function webSocketEcho(seen: IncomingMessage[] = []) {
  return (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    seen.push(request);
    const key = request.headers['sec-websocket-key'];
    if (!key || request.headers.upgrade?.toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    let pending = head;
    const consume = (chunk: Buffer): void => {
      pending = echoFrames(socket, pending.length ? Buffer.concat([pending, chunk]) : chunk);
    };
    socket.on('data', consume);
    socket.on('error', () => socket.destroy());
    if (head.length) consume(Buffer.alloc(0));
  };
}

/** Echoes the complete frames at the start of `data`; returns the incomplete rest. */
function echoFrames(socket: Duplex, data: Buffer): Buffer {
  let rest = data;
  while (rest.length >= 2) {
    const masked = (rest[1] & 0x80) !== 0;
    let length = rest[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (rest.length < 4) break;
      length = rest.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (rest.length < 10) break;
      length = Number(rest.readBigUInt64BE(2));
      offset = 10;
    }
    const maskAt = offset;
    if (masked) offset += 4;
    if (rest.length < offset + length) break;
    const payload = Buffer.from(rest.subarray(offset, offset + length));
    if (masked) for (let i = 0; i < length; i++) payload[i] ^= rest[maskAt + (i % 4)];
    socket.write(frame(rest[0], payload));
    if ((rest[0] & 0x0f) === 0x8) socket.end();
    rest = rest.subarray(offset + length);
  }
  return rest;
}

/** A server frame (§5.2: never masked) with first byte `first` (FIN, opcode). */
function frame(first: number, payload: Buffer): Buffer {
  let header: Buffer;
  if (payload.length < 126) header = Buffer.from([first, payload.length]);
  else if (payload.length < 0x10000) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  return Buffer.concat([header, payload]);
}
