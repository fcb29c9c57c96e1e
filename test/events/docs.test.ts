/**
 * @module test/events/docs.test
 * docs/EVENTS.md cannot rot: its `idp:` and `revocationEvents:` YAML blocks pass their schemas, its example
 * SET payload is what `revocationSetClaims` produces for that event, and its links point to files.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parseRevocationEventsConfig } from '../../src/events/config.ts';
import { revocationEventFromClaims, revocationSetClaims } from '../../src/events/set.ts';
import { parseIdpConfig } from '../../src/idp/config/load.ts';
import { codeBlocks } from '../docs/markdown-blocks.ts';

const FILE = new URL('../../docs/EVENTS.md', import.meta.url);
const text = readFileSync(FILE, 'utf8');
const blocks = codeBlocks(text);

it('has YAML blocks that its schemas accept', () => {
  const yaml = blocks.filter((block) => block.lang === 'yaml').map((block) => parseYaml(block.text));
  assert.equal(yaml.length, 2);
  for (const document of yaml) {
    if ('idp' in document) parseIdpConfig(document.idp);
    else parseRevocationEventsConfig(document.revocationEvents);
  }
});

it('shows the SET payload revocationSetClaims makes for its event', () => {
  const json = blocks.find((block) => block.lang === 'json');
  assert.ok(json);
  const payload = JSON.parse(json.text);
  const event = revocationEventFromClaims(payload);
  assert.ok(event, 'the example is one of ours');
  assert.deepEqual(
    revocationSetClaims(event, { issuer: payload.iss, audience: payload.aud, issuedAt: payload.iat }),
    payload,
  );
});

it('links to files that exist', () => {
  for (const [, target] of text.matchAll(/\]\(([^)#]+)\)/g)) {
    assert.ok(existsSync(new URL(target, FILE)), target);
  }
});
