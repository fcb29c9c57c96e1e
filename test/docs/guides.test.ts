/**
 * @module test/docs/guides.test
 * The guides of `docs/guides/` cannot rot: every ```yaml block is validated by the schema of its section
 * (`auth:` → parseAuthConfig, `idp:` → parseIdpConfig, `gateway:` → parseGatewayConfig); every claim rule and
 * `requirePermission` call in a ```ts block is compiled; and every ```sh block is run, in order, against a real
 * IdP started with the guide's first `idp:` block (port 0, memory store) and, when the guide has an `auth:`
 * block, a service built from the first one (`createAuthenticator` + the node:http adapter, answering
 * `Hello, <sub>` on `/`, authorized by the guide's `authorize: compileRule('…')` if it shows one, and seed
 * 000's `Hi, <sub>` on `/admin` for role admin of my_service); when it has a `gateway:` block, the gateway of
 * the first one (`createGateway`, listeners on port 0) in front of the gateway example's upstream
 * (`examples/gateway/upstream.ts`, `Hello, <X-User-Id>`). `docs/QUICKSTART.md` gets the same treatment with
 * its own `idp:` and `auth:` blocks.
 *
 * Commands run twice: as fetch calls (the curl flags parsed by `markdown-blocks.ts`), and, when bash, curl and jq
 * are on PATH, as written, by bash with the real curl and jq. 127.0.0.1:8081 is rewritten to the IdP's URL,
 * 127.0.0.1:8080 to the service's, 127.0.0.1:8090 to the upstream's and 127.0.0.1:4455 and :4456 to the
 * gateway's proxy and API. The last command of a block is held to the `<!-- expect: <status> [body] -->`
 * comment after it (a JSON body must be contained in the answer, other text must equal it); the others must
 * not fail (status < 400). Relative links must point to existing files.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { protect } from '../../src/adapters/node-http.ts';
import { compileRule, requirePermission, requireRole } from '../../src/authz/index.ts';
import { parseAuthConfig } from '../../src/config/load.ts';
import { createGateway, type Gateway, parseGatewayConfig } from '../../src/gateway/index.ts';
import { parseIdpConfig } from '../../src/idp/config/load.ts';
import { createIdp, type Idp } from '../../src/idp/server.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import type { Authenticator } from '../../src/pipeline/authenticator.ts';
import { createAuthenticator } from '../../src/pipeline/create-authenticator.ts';
import {
  type CodeBlock,
  codeBlocks,
  containsJson,
  type Expectation,
  parseCurl,
  type Step,
  shellSteps,
  shellWords,
} from './markdown-blocks.ts';

const DOCS = join(import.meta.dirname, '..', '..', 'docs');
/** The guides, and the quick start (whose commands are the same seed-000 walkthrough `npm start` serves). */
const documents = [
  ...readdirSync(join(DOCS, 'guides'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `guides/${name}`),
  'QUICKSTART.md',
];

type Json = Record<string, unknown>;

const execFileAsync = promisify(execFile);

/** false when bash, curl and jq are all on PATH; else the reason to skip the real-curl replay. */
const realCurl = ((): string | false => {
  try {
    execFileSync('bash', ['-c', 'command -v curl && command -v jq'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'bash, curl or jq is not on PATH';
  }
})();

function yamlDocs(blocks: CodeBlock[]): { block: CodeBlock; doc: Json }[] {
  return blocks
    .filter((block) => block.lang === 'yaml' || block.lang === 'yml')
    .map((block) => ({ block, doc: parseYaml(block.text) as Json }));
}

/** The string literal arguments of `name('…')` / `name("…")` calls, unescaped as JavaScript would. */
function stringCalls(code: string, name: string): string[] {
  const pattern = new RegExp(`${name}\\(\\s*'((?:[^'\\\\]|\\\\.)*)'`, 'g');
  return [...code.matchAll(pattern)].map((match) => match[1].replace(/\\(.)/g, '$1'));
}

function permissionCalls(code: string): { resource: string; scope?: string }[] {
  const pattern = /requirePermission\(\{\s*resource:\s*'([^']*)'(?:,\s*scope:\s*'([^']*)')?\s*\}\)/g;
  return [...code.matchAll(pattern)].map((match) => ({ resource: match[1], scope: match[2] }));
}

/** Where a guide's gateway runs: its proxy, its API and the upstream behind it. */
interface GuideGateway {
  readonly proxyUrl: string;
  readonly apiUrl: string;
  readonly upstreamUrl: string;
}

function rewrite(
  text: string,
  idpUrl: string,
  serviceUrl: string | undefined,
  gateway?: GuideGateway,
): string {
  let result = text.replace(/(?:https?:\/\/)?(?:127\.0\.0\.1|localhost):8081/g, idpUrl);
  if (serviceUrl) result = result.replace(/(?:https?:\/\/)?(?:127\.0\.0\.1|localhost):8080/g, serviceUrl);
  if (gateway) {
    result = result
      .replace(/(?:https?:\/\/)?(?:127\.0\.0\.1|localhost):8090/g, gateway.upstreamUrl)
      .replace(/(?:https?:\/\/)?(?:127\.0\.0\.1|localhost):4455/g, gateway.proxyUrl)
      .replace(/(?:https?:\/\/)?(?:127\.0\.0\.1|localhost):4456/g, gateway.apiUrl);
  }
  return result;
}

/** The gateway example's upstream (`examples/gateway/upstream.ts`) on a free port, and its URL. */
async function startExampleUpstream(): Promise<{ child: ChildProcess; url: string }> {
  const script = join(import.meta.dirname, '..', '..', 'examples', 'gateway', 'upstream.ts');
  const child = spawn(process.execPath, [script, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  for await (const chunk of child.stderr!) {
    said += String(chunk);
    const url = /listening on (http:\/\/\S+)/.exec(said)?.[1];
    if (url) return { child, url };
  }
  throw new Error(`the example upstream exited: ${said}`);
}

function checkAnswer(where: string, status: number, text: string, expect: Expectation | undefined): void {
  if (!expect) {
    assert.ok(status < 400, `${where}: status ${status}, body ${text}`);
    return;
  }
  assert.equal(status, expect.status, `${where}: body ${text}`);
  if (expect.body === undefined) return;
  if (/^[[{]/.test(expect.body)) {
    const actual = JSON.parse(text) as unknown;
    assert.ok(
      containsJson(actual, JSON.parse(expect.body)),
      `${where}: ${text} does not contain ${expect.body}`,
    );
  } else {
    assert.equal(text.trim(), expect.body, where);
  }
}

for (const guide of documents) {
  const markdown = readFileSync(join(DOCS, guide), 'utf8');
  const blocks = codeBlocks(markdown);
  const yamls = yamlDocs(blocks);

  describe(`docs/${guide}`, () => {
    it('has YAML config blocks and curl blocks', () => {
      assert.ok(
        yamls.some(({ doc }) => 'idp' in doc),
        'an idp: block',
      );
      assert.ok(
        blocks.some((block) => block.lang === 'sh' && /\bcurl /.test(block.text)),
        'a sh block with curl',
      );
    });

    it('every relative link points to an existing file', () => {
      for (const [, target] of markdown.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        assert.ok(existsSync(join(DOCS, dirname(guide), target)), `${guide}: broken link ${target}`);
      }
    });

    it('every yaml block is valid for its section', () => {
      for (const { block, doc } of yamls) {
        const where = `${guide}:${block.line}`;
        assert.ok(doc && typeof doc === 'object', `${where}: not a mapping`);
        const sections = Object.keys(doc);
        assert.ok(sections.length > 0, `${where}: empty`);
        for (const section of sections) {
          assert.ok(['auth', 'idp', 'gateway'].includes(section), `${where}: unknown section ${section}`);
        }
        if ('auth' in doc) assert.doesNotThrow(() => parseAuthConfig(doc.auth), where);
        if ('gateway' in doc) assert.doesNotThrow(() => parseGatewayConfig(doc.gateway), where);
        if ('idp' in doc) assert.doesNotThrow(() => parseIdpConfig(doc.idp), where);
      }
    });

    it('every claim rule and requirePermission in TypeScript blocks compiles', () => {
      for (const block of blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript')) {
        for (const rule of [
          ...stringCalls(block.text, 'compileRule'),
          ...stringCalls(block.text, 'requireRule'),
        ]) {
          assert.doesNotThrow(() => compileRule(rule), `${guide}:${block.line}: ${rule}`);
        }
        for (const requirement of permissionCalls(block.text)) {
          assert.doesNotThrow(() => requirePermission(requirement), `${guide}:${block.line}`);
        }
      }
    });

    describe('shell blocks against a real IdP', () => {
      let idp: Idp;
      let authenticator: Authenticator | undefined;
      let service: Server | undefined;
      let serviceUrl: string | undefined;
      let upstream: ChildProcess | undefined;
      let gateway: Gateway | undefined;
      let gatewayUrls: GuideGateway | undefined;

      before(async () => {
        const idpDoc = yamls.find(({ doc }) => 'idp' in doc);
        assert.ok(idpDoc, 'an idp: block');
        const config = {
          ...(idpDoc.doc.idp as Json),
          host: '127.0.0.1',
          port: 0,
          store: 'memory',
          logLevel: 'silent',
          issuer: '',
        };
        idp = await createIdp(config as never, { logger: silentLogger });
        const authDoc = yamls.find(({ doc }) => 'auth' in doc);
        if (authDoc) {
          const auth = JSON.parse(rewrite(JSON.stringify(authDoc.doc.auth), idp.url, undefined));
          authenticator = createAuthenticator({ config: auth, logger: silentLogger });
          // Seed 000's service: `/` for any valid token (or, when the guide shows `authorize: compileRule('…')`,
          // for tokens passing that rule), `/admin` for role admin of my_service.
          const rule = blocks
            .filter((block) => block.lang === 'ts')
            .flatMap((block) => stringCalls(block.text, 'authorize:\\s*compileRule'))[0];
          const home = protect(
            authenticator,
            (_request, response, principal) => {
              response.end(`Hello, ${principal.subject}`);
            },
            rule === undefined ? {} : { authorize: compileRule(rule) },
          );
          const admin = protect(
            authenticator,
            (_request, response, principal) => {
              response.end(`Hi, ${principal.subject}`);
            },
            { authorize: requireRole({ namespace: 'my_service', role: 'admin' }) },
          );
          service = createServer((request, response) =>
            (request.url === '/admin' ? admin : home)(request, response),
          );
          await new Promise<void>((resolve) => service?.listen(0, '127.0.0.1', resolve));
          serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
        }
        const gatewayDoc = yamls.find(({ doc }) => 'gateway' in doc);
        if (gatewayDoc) {
          const example = await startExampleUpstream();
          upstream = example.child;
          const pending = { proxyUrl: '', apiUrl: '', upstreamUrl: example.url };
          const section = JSON.parse(
            rewrite(JSON.stringify(gatewayDoc.doc.gateway), idp.url, undefined, pending),
          );
          const loopback = { host: '127.0.0.1', port: 0 };
          gateway = await createGateway(
            { ...section, listen: loopback, api: loopback },
            { logger: silentLogger },
          );
          gatewayUrls = { proxyUrl: gateway.proxyUrl, apiUrl: gateway.apiUrl, upstreamUrl: example.url };
        }
      });

      after(async () => {
        await gateway?.close();
        if (upstream && upstream.exitCode === null) {
          upstream.kill('SIGTERM');
          await once(upstream, 'exit');
        }
        if (service) await new Promise((resolve) => service?.close(resolve));
        await authenticator?.close();
        await idp?.close();
      });

      /** Runs one step: with fetch (the flags parsed here) or, in `curl` mode, with bash, curl and jq. */
      async function run(
        step: Step,
        vars: Record<string, string>,
        mode: 'fetch' | 'curl',
      ): Promise<{ status: number; text: string; value?: string }> {
        const line = rewrite(
          step.kind === 'capture' ? step.curl : step.line,
          idp.url,
          serviceUrl,
          gatewayUrls,
        );
        if (mode === 'curl') {
          // Loopback only: no proxy, whatever the environment says.
          const env = { ...process.env, ...vars, NO_PROXY: '*', no_proxy: '*' };
          if (step.kind === 'capture') {
            // The assignment's command substitution as written: curl piped into jq.
            const script = `set -o pipefail; ${line} | jq -r .${step.path.join('.')}`;
            const { stdout } = await execFileAsync('bash', ['-c', script], { env });
            const value = stdout.trim();
            return { status: value === '' || value === 'null' ? 500 : 200, text: stdout, value };
          }
          const { stdout } = await execFileAsync('bash', ['-c', `${line} -w '\\n%{http_code}'`], { env });
          const cut = stdout.lastIndexOf('\n');
          return { status: Number(stdout.slice(cut + 1)), text: stdout.slice(0, cut) };
        }
        const request = parseCurl(shellWords(line, vars));
        if (!serviceUrl && !gatewayUrls)
          assert.ok(request.url.startsWith(idp.url), `${line}: no service in this guide`);
        const response = await fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
        });
        return { status: response.status, text: await response.text() };
      }

      async function replay(mode: 'fetch' | 'curl'): Promise<void> {
        const vars: Record<string, string> = {};
        let commands = 0;
        for (const block of blocks.filter((b) => b.lang === 'sh' || b.lang === 'bash')) {
          const steps = shellSteps(block.text).filter((step) => step.kind !== 'start');
          for (const [index, step] of steps.entries()) {
            const last = index === steps.length - 1;
            const where = `${guide}:${block.line} (${mode}): ${step.line.slice(0, 120)}`;
            const { status, text, value: captured } = await run(step, vars, mode);
            commands++;
            if (step.kind === 'capture') {
              assert.ok(status < 400, `${where}: status ${status}, body ${text}`);
              let value: unknown = captured;
              if (value === undefined) {
                value = JSON.parse(text);
                for (const key of step.path) value = (value as Json)[key];
              }
              assert.equal(typeof value, 'string', `${where}: .${step.path.join('.')} is not a string`);
              vars[step.name] = value as string;
              assert.ok(!last || block.expect === undefined, `${where}: expect after a capture`);
            } else {
              checkAnswer(where, status, text, last ? block.expect : undefined);
            }
          }
        }
        assert.ok(commands > 0, 'ran some commands');
      }

      it('every curl command answers as the guide says (flags parsed, sent with fetch)', () =>
        replay('fetch'));

      it('the same blocks run by bash with the real curl and jq', { skip: realCurl }, () => replay('curl'));
    });
  });
}
