/**
 * @module test/gateway/config.test
 * Every way a gateway configuration can be wrong names the key that is: schema errors with array indexes
 * (`gateway.routes[2].upstream.urls[0]`), authenticator sections through the library's schema, checks
 * the schema cannot make (route names, authenticator references, claim rules compiled at build, ports in
 * use), and files without a `gateway` section. Defaults fill everything that is left out. The
 * configurations shown in docs/GATEWAY.md and examples/gateway are valid.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { TokenguardError } from '../../src/errors/tokenguard-error.ts';
import { loadGatewayConfig, parseGatewayConfig } from '../../src/gateway/config/load.ts';
import { createGateway } from '../../src/gateway/gateway.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { codeBlocks } from '../docs/markdown-blocks.ts';
import { closeServer, listen } from '../support/loopback.ts';

const AUTH = {
  introspection: { endpoint: 'http://127.0.0.1:1/introspect', clientAuth: { accessToken: 't' } },
};

/** Asserts that `run` throws configInvalid naming `path`, with `detail` in its message. */
async function rejectsAt(run: () => unknown, path: string, detail: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof TokenguardError, `expected a configInvalid for ${path}, got ${String(caught)}`);
  assert.equal(caught.code, 'configInvalid');
  assert.equal(caught.path, path);
  assert.match(caught.message, detail);
  assert.ok(caught.message.includes(`${path}: `), caught.message);
}

describe('gateway configuration', () => {
  it('fills every default', () => {
    const config = parseGatewayConfig({});
    assert.deepEqual(config.listen, { host: '0.0.0.0', port: 4455 });
    assert.deepEqual(config.api, { host: '0.0.0.0', port: 4456 });
    assert.equal(config.limits.maxHeaderSize, 16 * 1024);
    assert.equal(config.limits.maxBodySize, 0);
    assert.equal(config.shutdownTimeout, 30_000);
    const routed = parseGatewayConfig({ authenticators: { idp: AUTH }, routes: [{}, { auth: 'public' }] });
    assert.equal(routed.routes[0].name, 'route-0');
    assert.deepEqual(routed.routes[0].auth !== 'public' && routed.routes[0].auth.authenticator, 'idp');
    assert.equal(routed.routes[0].forward.credential, 'strip');
    assert.equal(
      routed.authenticators.idp.errorDomain,
      'tokenguard',
      'the gateway error domain is the default',
    );
    assert.equal(parseGatewayConfig(routed), routed, 'a parsed configuration is taken as it is');
  });

  it('names the key of every schema error, array items by index', async () => {
    const route = (extra: Record<string, unknown>) => ({ auth: 'public', ...extra });
    const cases: [unknown, string, RegExp][] = [
      [
        { routes: [route({}), route({}), route({ upstream: { urls: ['ftp://x'] } })] },
        'gateway.routes[2].upstream.urls[0]',
        /must be an absolute http\(s\) URL/,
      ],
      [
        { routes: [{ auth: { scopes: ['read', 'wri"te'] } }] },
        'gateway.routes[0].auth.scopes[1]',
        /scope tokens/,
      ],
      [
        { routes: [route({ forward: { headers: { Host: 'sub' } } })] },
        'gateway.routes[0].forward.headers.Host',
        /reserved/,
      ],
      [
        { routes: [route({ match: { path: '/a', pathPrefix: '/b' } })] },
        'gateway.routes[0].match.path',
        /not both/,
      ],
      [
        { routes: [route({ match: { pathPrefix: 'api' } })] },
        'gateway.routes[0].match.pathPrefix',
        /start with \//,
      ],
      [{ routes: [route({ upstrem: {} })] }, 'gateway.routes[0].upstrem', /unknown key/],
      [{ routes: [route({ auth: 'publik' })] }, 'gateway.routes[0].auth', /"public"/],
      [{ routes: [{ auth: { roles: [{ role: '' }] } }] }, 'gateway.routes[0].auth.roles[0].role', /./],
      [{ limits: { maxBodySize: 'ten megs' } }, 'gateway.limits.maxBodySize', /not a size/],
      [{ shutdownTimeout: 'soon' }, 'gateway.shutdownTimeout', /not a duration/],
      [{ listen: { port: 70000 } }, 'gateway.listen.port', /65535/],
      [
        { authenticators: { idp: { introspection: { endpoint: 'not a url' } } } },
        'gateway.authenticators.idp.introspection.endpoint',
        /absolute http\(s\) URL/,
      ],
      [{ routes: [{}] }, 'gateway.routes[0].auth.authenticator', /no authenticator is configured/],
      [
        { authenticators: { a: AUTH, b: AUTH }, routes: [{}] },
        'gateway.routes[0].auth.authenticator',
        /name one of a, b/,
      ],
      [
        { authenticators: { a: AUTH }, routes: [{ auth: { authenticator: 'b' } }] },
        'gateway.routes[0].auth.authenticator',
        /unknown authenticator "b"/,
      ],
      [
        { routes: [route({ name: 'x' }), route({ name: 'x' })] },
        'gateway.routes[1].name',
        /gateway\.routes\[0\]/,
      ],
    ];
    for (const [input, path, detail] of cases) await rejectsAt(() => parseGatewayConfig(input), path, detail);
  });

  it('names the key of what is checked when the gateway is built', async () => {
    const start = (section: Record<string, unknown>) =>
      createGateway(
        { listen: { host: '127.0.0.1', port: 0 }, api: { host: '127.0.0.1', port: 0 }, ...section },
        { logger: silentLogger },
      );
    await rejectsAt(
      () => start({ authenticators: { idp: AUTH }, routes: [{ auth: { claims: 'Equals("a", ' } }] }),
      'gateway.routes[0].auth.claims',
      /./,
    );
    await rejectsAt(() => start({ signingKey: '/nonexistent/key.pem' }), 'gateway.signingKey', /cannot read/);
    const busy = createServer();
    const port = Number(new URL(await listen(busy)).port);
    try {
      await rejectsAt(
        () => start({ listen: { host: '127.0.0.1', port } }),
        'gateway.listen.port',
        /EADDRINUSE/,
      );
    } finally {
      await closeServer(busy);
    }
  });

  describe('files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenguard-gateway-config-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('reads YAML and JSON, overlays TOKENGUARD_GATEWAY_* variables, and wants a gateway section', async () => {
      const yaml = join(dir, 'gateway.yaml');
      writeFileSync(
        yaml,
        'gateway:\n  listen: { port: 8000 }\n  routes:\n    - auth: public\n      upstream: { urls: [http://127.0.0.1:9] }\n',
      );
      const config = loadGatewayConfig({ file: yaml, env: { TOKENGUARD_GATEWAY_API_PORT: '9001' } });
      assert.equal(config.listen.port, 8000);
      assert.equal(config.api.port, 9001);
      assert.equal(config.routes[0].upstream.urls[0], 'http://127.0.0.1:9');
      const json = join(dir, 'gateway.json');
      writeFileSync(json, JSON.stringify({ gateway: { logLevel: 'warn' } }));
      assert.equal(loadGatewayConfig({ file: json }).logLevel, 'warn');
      const other = join(dir, 'idp.yaml');
      writeFileSync(other, 'idp:\n  port: 1\n');
      await rejectsAt(() => loadGatewayConfig({ file: other }), 'gateway', /no gateway section/);
      const broken = join(dir, 'broken.yaml');
      writeFileSync(broken, 'gateway:\n  routes: [\n');
      await rejectsAt(() => loadGatewayConfig({ file: broken }), broken, /./);
    });
  });

  it('accepts the configurations of docs/GATEWAY.md and examples/gateway', () => {
    const root = join(import.meta.dirname, '..', '..');
    const doc = readFileSync(join(root, 'docs', 'GATEWAY.md'), 'utf8');
    const sections = codeBlocks(doc)
      .filter((block) => block.lang === 'yaml')
      .map((block) => parseYaml(block.text) as Record<string, unknown>)
      .filter((document) => document.gateway !== undefined);
    assert.ok(sections.length > 0, 'the guide shows a gateway section');
    for (const document of sections) parseGatewayConfig(document.gateway);
    const example = loadGatewayConfig({ file: join(root, 'examples', 'gateway', 'gateway.yaml') });
    assert.deepEqual(
      example.routes.map((route) => route.name),
      ['admin', 'api'],
    );
  });
});
