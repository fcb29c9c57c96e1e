/**
 * @module events/sse-parser.test
 * The event-stream parser against WHATWG HTML §9.2.6: line ends of every kind and split across chunks,
 * comments, multi-line data, ids (kept, cleared, moved by an id-only message), the BOM, and the bound.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseParser } from './sse-parser.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('SseParser', () => {
  it('dispatches on a blank line, joins data lines with LF, defaults the event type to message', () => {
    const parser = new SseParser();
    const messages = parser.push('id: 1\ndata: first\ndata: second\n\n: heartbeat\n\n');
    assert.deepEqual(messages, [{ event: 'message', data: 'first\nsecond', lastEventId: '1' }]);
    assert.equal(parser.lastEventId, '1');
  });

  it('accepts CRLF, LF and CR line ends, also when a CRLF is split between two chunks', () => {
    const parser = new SseParser();
    const out = [
      ...parser.push('event: reset\r'),
      ...parser.push('\nid: 7\r\ndata: x\r'),
      ...parser.push('\r'),
      ...parser.push('data: y\n'),
      ...parser.push('\n'),
    ];
    assert.deepEqual(out, [
      { event: 'reset', data: 'x', lastEventId: '7' },
      { event: 'message', data: 'y', lastEventId: '7' },
    ]);
  });

  it('reassembles fields and multi-byte characters split anywhere in the byte stream', () => {
    const text = 'id: é-1\ndata: ünïcode\n\n';
    const encoded = bytes(text);
    for (let cut = 1; cut < encoded.length; cut++) {
      const parser = new SseParser();
      const out = [...parser.push(encoded.slice(0, cut)), ...parser.push(encoded.slice(cut))];
      assert.deepEqual(out, [{ event: 'message', data: 'ünïcode', lastEventId: 'é-1' }], `cut at ${cut}`);
    }
  });

  it('moves the position on an id-only message without dispatching, and clears it on an empty id', () => {
    const parser = new SseParser('start');
    assert.deepEqual(parser.push('id: 42\n\n'), []);
    assert.equal(parser.lastEventId, '42');
    assert.deepEqual(parser.push('event: reset\nid\ndata: {}\n\n'), [
      { event: 'reset', data: '{}', lastEventId: '' },
    ]);
    assert.equal(parser.lastEventId, '');
  });

  it('ignores a leading BOM, unknown fields, ids containing NUL, and reads retry', () => {
    const parser = new SseParser();
    const out = parser.push('\uFEFFid: a\u0000b\nfoo: bar\nretry: 1500\ndata\n\n');
    assert.deepEqual(out, [{ event: 'message', data: '', lastEventId: '' }]);
    assert.equal(parser.retryMs, 1500);
  });

  it('refuses a message growing beyond the bound', () => {
    const parser = new SseParser('', 100);
    assert.throws(() => parser.push(`data: ${'x'.repeat(200)}`), /exceeds 100 characters/);
  });
});
