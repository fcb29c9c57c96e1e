/**
 * @module bench/servers/gateway-child
 * What every child process of the gateway benchmark does besides serving: print where it listens as one
 * JSON line on stdout (the parent reads it with `firstJsonLine`), answer the parent's IPC `stats` with its
 * CPU time so far (server CPU per request is the steadier figure on a shared machine), and exit cleanly on
 * signals (so `--cpu-prof` can write its profile).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Prints `{"url", ...extra}`: `where` is a URL, or a server listening on 127.0.0.1. */
export function announce(where: Server | string, extra: Record<string, unknown> = {}): void {
  const url = typeof where === 'string' ? where : `http://127.0.0.1:${(where.address() as AddressInfo).port}`;
  process.stdout.write(`${JSON.stringify({ url, ...extra })}\n`);
}

/** Answers `stats` with `{"cpuMicros"}`; exits on SIGINT/SIGTERM after `cleanup`. */
export function serveParent(cleanup: () => Promise<unknown> = async () => {}): void {
  process.on('message', (message) => {
    if (message !== 'stats') return;
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMicros: user + system });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanup().finally(() => process.exit(0));
    });
  }
}
