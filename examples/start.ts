/**
 * `npm start`: seed 000's walkthrough on one machine. Starts the IdP test server (127.0.0.1:8081) and the
 * token-introspection service (127.0.0.1:8080) as child processes with this Node, waits until both listen,
 * prints the curl commands of seed 000, and stops both on Ctrl-C / SIGTERM (or when either exits). Their
 * log lines pass through: JSON on stdout, the `listening on` lines on stderr.
 *
 * `startExample` is exported for the end-to-end test, which starts the examples the same way.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

export interface RunningExample {
  child: ChildProcess;
  /** The `http://host:port` of its `listening on` line. */
  url: string;
  /** The gRPC `host:port` of its `listening on` line, when it serves gRPC. */
  grpcAddress?: string;
  /** Complete stdout lines so far (JSON log lines). */
  stdout: string[];
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<void>;
}

export interface StartExampleOptions {
  env?: Record<string, string>;
  /** Copy the child's output to ours (the launcher does; tests do not). */
  inherit?: boolean;
  timeoutMs?: number;
}

/** Runs `node <script> ...args` from the repository root and waits for its `listening on` line. */
export function startExample(
  script: string,
  args: string[] = [],
  options: StartExampleOptions = {},
): Promise<RunningExample> {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    if (options.inherit) process.stdout.write(chunk);
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    stdout.push(...lines.filter(Boolean));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let errors = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${script} did not start in time:\n${errors}`));
    }, options.timeoutMs ?? 15_000);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (options.inherit) process.stderr.write(chunk);
      errors += chunk;
      const match = /listening on (http:\/\/[^\s,]+)(?: and gRPC on ([^\s,]+))?/.exec(errors);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, url: match[1], grpcAddress: match[2], stdout, stop });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before listening:\n${errors}`));
    });
  });
}

/** Seed 000's commands, for the IdP at `idp` and the service at `service` (host:port). */
export function seedCommands(idp: string, service: string): string[] {
  const token = (client: string) =>
    `$(curl -s -XPOST -u ${client} ${idp}/idp/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`;
  const introspect = (variable: string) =>
    `curl -XPOST -H"Authorization: Bearer access-token-with-introspection-permission" ${idp}/idp/introspect_token -d token=$${variable}`;
  return [
    `curl ${service}`,
    `curl -XPOST -u user:user-pwd ${idp}/idp/token`,
    `TOKEN=${token('user:user-pwd')}`,
    introspect('TOKEN'),
    `curl ${service} -H"Authorization: Bearer $TOKEN"`,
    `curl ${service}/admin -H"Authorization: Bearer $TOKEN"`,
    `ADMIN2=${token('admin2:admin2-pwd')}`,
    introspect('ADMIN2'),
    `curl ${service}/admin -H"Authorization: Bearer $ADMIN2"`,
  ];
}

async function main(): Promise<void> {
  const idp = await startExample('examples/idp-test-server/main.ts', [], { inherit: true });
  let service: RunningExample;
  try {
    service = await startExample('examples/token-introspection/main.ts', [], { inherit: true });
  } catch (error) {
    await idp.stop();
    throw error;
  }
  const host = (url: string) => url.replace(/^http:\/\//, '');
  process.stderr.write(
    [
      '',
      `IdP test server on ${idp.url}, service on ${service.url}. Try seed 000's commands:`,
      ...seedCommands(host(idp.url), host(service.url)).map((command) => `  ${command}`),
      'Ctrl-C stops both.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.all([service.stop(), idp.stop()]);
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));
  for (const example of [idp, service]) example.child.once('exit', (code) => void stopAll(code ?? 1));
}

if (import.meta.main) await main();
