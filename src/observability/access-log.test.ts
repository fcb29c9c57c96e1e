import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import { closeServer, listen } from '../../test/support/loopback.ts';
import { redactUri, withAccessLog } from './access-log.ts';
import { createLogger } from './logger.ts';

it('redacts secret-bearing query parameters from logged URIs', () => {
  assert.equal(redactUri('/a?access_token=abc&x=1'), '/a?access_token=[redacted]&x=1');
  assert.equal(redactUri('/a?x=1&Token=abc#f'), '/a?x=1&Token=[redacted]#f');
  assert.equal(redactUri('/a?client_secret=s&code=c'), '/a?client_secret=[redacted]&code=[redacted]');
  assert.equal(redactUri('/plain'), '/plain');
  assert.equal(redactUri('/a?tokenizer=1'), '/a?tokenizer=1');
  assert.equal(redactUri('/a?%74oken=t&access%5Ftoken=u'), '/a?%74oken=[redacted]&access%5Ftoken=[redacted]');
  assert.equal(redactUri('/a?client%5Fsecret=s&%zz=v'), '/a?client%5Fsecret=[redacted]&%zz=[redacted]');
  // A route's own token parameter name, and any JWT whatever its parameter.
  assert.equal(redactUri('/a?JWT=t&page=2', new Set(['jwt'])), '/a?JWT=[redacted]&page=2');
  assert.equal(redactUri('/a?t=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.&p=1'), '/a?t=[redacted]&p=1');
});

it("writes seed 000's `response completed` line with the request's fields and no token", async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ destination: sink });
  const server = createServer(withAccessLog(logger, (_request, response) => response.end('Hello, user')));
  const url = await listen(server);
  try {
    const response = await fetch(`${url}/x?access_token=secret-token-value`, {
      headers: { 'x-request-id': 'abc-123', 'user-agent': 'curl/8.7.1' },
    });
    assert.equal(await response.text(), 'Hello, user');
    assert.equal(response.headers.get('x-request-id'), 'abc-123');
    if (lines.length === 0) await once(sink, 'finish').catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    const line = JSON.parse(lines.at(-1) ?? '{}');
    assert.equal(line.level, 'info');
    assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    assert.match(line.msg, /^response completed in \d+\.\d{3}s$/);
    assert.equal(line.request_id, 'abc-123');
    assert.equal(line.method, 'GET');
    assert.equal(line.uri, '/x?access_token=[redacted]');
    assert.equal(line.status, 200);
    assert.equal(line.bytes_sent, 11);
    assert.equal(line.user_agent, 'curl/8.7.1');
    assert.equal(line.remote_addr_ip, '127.0.0.1');
    assert.equal(typeof line.duration_ms, 'number');
    assert.equal(typeof line.pid, 'number');
    assert.ok(!lines.join('').includes('secret-token-value'));
  } finally {
    await closeServer(server);
  }
});
