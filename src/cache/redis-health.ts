/**
 * @module cache/redis-health
 * Whether the shared cache may talk to Redis now, and the log lines of its changes of mind.
 *
 * Redis is an optimisation: when it is down, refuses or answers slower than the command timeout, the cache
 * serves from its in-process tier and requests go on (to the IdP on a miss). Two signals feed this state:
 * the connection (ioredis `ready` / `close` events) and the commands (one that fails or times out on a live
 * connection). After a failed command no command is sent for a pause that doubles up to a cap, so a slow
 * Redis costs at most one timeout per pause instead of one per request; the first command after the pause
 * probes it. Each change is logged once: a warning when Redis becomes unavailable, an info line when it is
 * back, never a line per failed request.
 */
import type { Logger } from '../observability/logger.ts';

/** `connecting` until the first connection; `degraded` while Redis cannot be used; `ready` otherwise. */
export type RedisCacheState = 'connecting' | 'ready' | 'degraded';

export interface RedisHealthOptions {
  logger: Logger;
  /** Fields of every log line (cache name, Redis address without credentials). */
  logFields: Readonly<Record<string, string>>;
  now: () => number;
  /** Longest pause of commands after a failure on a live connection, ms. */
  maxPauseMs: number;
  /** Called after each change of state. */
  onChange(state: RedisCacheState, previous: RedisCacheState): void;
}

/** The first pause after a failed command; it doubles on each failed probe, up to `maxPauseMs`. */
const FIRST_PAUSE_MS = 100;

export class RedisHealth {
  readonly #options: RedisHealthOptions;
  #state: RedisCacheState = 'connecting';
  #connected = false;
  #pauseMs = 0;
  #pausedUntil = 0;
  #stopped = false;

  constructor(options: RedisHealthOptions) {
    this.#options = options;
  }

  get state(): RedisCacheState {
    return this.#state;
  }

  /** Whether a command may be sent now: connected, and not within a pause after a failed command. */
  admits(): boolean {
    if (!this.#connected) return false;
    return this.#state === 'ready' || this.#options.now() >= this.#pausedUntil;
  }

  /** The connection is ready (first connection, or a reconnection). */
  connectionUp(): void {
    this.#connected = true;
    this.#pauseMs = 0;
    this.#change('ready');
  }

  /** The connection is lost or could not be made; ioredis reconnects with its back-off. */
  connectionDown(error?: unknown): void {
    this.#connected = false;
    this.#change('degraded', error);
  }

  /** A command answered in time: Redis serves again if it was paused. */
  commandSucceeded(): void {
    if (this.#state !== 'degraded' || !this.#connected) return;
    this.#pauseMs = 0;
    this.#change('ready');
  }

  /** A command failed or timed out on a live connection: pause, then probe. */
  commandFailed(error: unknown): void {
    this.#pauseMs = Math.min(
      this.#options.maxPauseMs,
      this.#pauseMs === 0 ? FIRST_PAUSE_MS : this.#pauseMs * 2,
    );
    this.#pausedUntil = this.#options.now() + this.#pauseMs;
    this.#change('degraded', error);
  }

  /** No more transitions nor log lines (the cache is closing). */
  stop(): void {
    this.#stopped = true;
  }

  #change(state: RedisCacheState, error?: unknown): void {
    const previous = this.#state;
    if (this.#stopped || state === previous) return;
    this.#state = state;
    const { logger, logFields } = this.#options;
    if (state === 'degraded') {
      const reason = error instanceof Error ? error.message : undefined;
      logger.warn(
        { ...logFields, error: reason },
        'shared cache unavailable: serving from the in-process cache only',
      );
    } else if (previous === 'degraded') {
      logger.info(logFields, 'shared cache available again: in-process cache cleared');
    } else {
      logger.info(logFields, 'shared cache connected');
    }
    this.#options.onChange(state, previous);
  }
}
