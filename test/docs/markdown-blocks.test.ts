/**
 * @module test/docs/markdown-blocks.test
 * The extraction and the curl interpreter the docs tests rely on: if these were wrong, the guides' tests
 * could pass while a reader's commands fail.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeBlocks, containsJson, parseCurl, shellSteps, shellWords } from './markdown-blocks.ts';

describe('codeBlocks', () => {
  it('returns fenced blocks with their language, line and the expect comment after them', () => {
    const blocks = codeBlocks(
      [
        '# Title',
        '```yaml',
        'idp:',
        '  port: 0',
        '```',
        '',
        '```sh',
        'curl 127.0.0.1:8081/x',
        '```',
        '',
        '<!-- expect: 200 {"active":false} -->',
        '```sh',
        'curl a',
        '```',
        '<!-- expect: 401 -->',
      ].join('\n'),
    );
    assert.deepEqual(blocks, [
      { lang: 'yaml', text: 'idp:\n  port: 0', line: 2 },
      {
        lang: 'sh',
        text: 'curl 127.0.0.1:8081/x',
        line: 7,
        expect: { status: 200, body: '{"active":false}' },
      },
      { lang: 'sh', text: 'curl a', line: 12, expect: { status: 401, body: undefined } },
    ]);
  });

  it('refuses an unclosed fence and an expect comment that follows no block', () => {
    assert.throws(() => codeBlocks('```sh\ncurl a\n'), /unclosed/);
    assert.throws(() => codeBlocks('text\n<!-- expect: 200 -->\n'), /follow no code block/);
    assert.throws(() => codeBlocks('```sh\ncurl a\n```\n<!-- expect: two hundred -->\n'), /follow no/);
  });
});

describe('shell interpretation', () => {
  it('splits words like a POSIX shell and expands variables outside single quotes', () => {
    const vars = { T: 'abc' };
    assert.deepEqual(shellWords(`curl -H"Authorization: Bearer $T" -d 'token=$T' "x=\${T}" a\\ b`, vars), [
      'curl',
      '-HAuthorization: Bearer abc',
      '-d',
      'token=$T',
      'x=abc',
      'a b',
    ]);
    assert.throws(() => shellWords('curl $NOPE', {}), /unset shell variable/);
    assert.throws(() => shellWords('curl a | jq', {}), /unsupported shell syntax/);
  });

  it('turns curl flags into a request', () => {
    assert.deepEqual(parseCurl(shellWords('curl -XPOST -u user:user-pwd 127.0.0.1:8081/idp/token', {})), {
      method: 'POST',
      url: 'http://127.0.0.1:8081/idp/token',
      headers: { authorization: `Basic ${Buffer.from('user:user-pwd').toString('base64')}` },
    });
    assert.deepEqual(
      parseCurl(
        shellWords(
          "curl -s -k --basic -H 'Content-Type: text/plain' -d a=1 --data b=2 -b c=3 https://h/p",
          {},
        ),
      ),
      {
        method: 'POST',
        url: 'https://h/p',
        headers: { 'content-type': 'text/plain', cookie: 'c=3' },
        body: 'a=1&b=2',
      },
    );
    assert.deepEqual(parseCurl(['curl', 'h:1/']), { method: 'GET', url: 'http://h:1/', headers: {} });
    assert.throws(() => parseCurl(['curl', '--data-urlencode', 'a=1', 'h']), /not understood/);
    assert.throws(() => parseCurl(['curl', '-s']), /without URL/);
  });

  it('reads steps: continuations, comments, captures into variables, start-up commands', () => {
    const steps = shellSteps(
      [
        '# get a token',
        'T=$(curl -s -u a:b -d grant_type=client_credentials \\',
        '  127.0.0.1:8081/oauth2/token | jq -r .access_token)',
        'npm run idp',
        'curl -d "token=$T" 127.0.0.1:8081/oauth2/introspect',
      ].join('\n'),
    );
    assert.deepEqual(
      steps.map((step) => step.kind),
      ['capture', 'start', 'curl'],
    );
    const [capture] = steps;
    assert.ok(capture.kind === 'capture');
    assert.equal(capture.name, 'T');
    assert.deepEqual(shellWords(capture.curl, {}), [
      'curl',
      '-s',
      '-u',
      'a:b',
      '-d',
      'grant_type=client_credentials',
      '127.0.0.1:8081/oauth2/token',
    ]);
    assert.deepEqual(capture.path, ['access_token']);
    assert.throws(() => shellSteps('rm -rf /tmp/x'), /cannot run/);
  });
});

describe('containsJson', () => {
  it('matches objects as subsets, everything else exactly', () => {
    assert.ok(containsJson({ active: true, exp: 1, scope: 'a' }, { active: true }));
    assert.ok(containsJson({ error: { code: 'x', message: 'm' } }, { error: { code: 'x' } }));
    assert.ok(!containsJson({ active: true }, { active: false }));
    assert.ok(!containsJson({ active: true }, { scope: 'a' }));
    assert.ok(containsJson({ p: [{ a: 1 }] }, { p: [{ a: 1 }] }));
    assert.ok(!containsJson({ p: [{ a: 1, b: 2 }] }, { p: [{ a: 1 }] }), 'arrays are compared exactly');
    assert.ok(!containsJson([1], { 0: 1 }));
  });
});
