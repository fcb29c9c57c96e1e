/**
 * @module gateway/proxy/attempts
 * The bookkeeping one client request keeps across its attempts on an upstream's URLs, shared by the HTTP
 * and the Upgrade paths: which URL is being tried, which already failed before anything was sent (those
 * are skipped on a retry), the failure that answers when none is left, and settling the outcome exactly
 * once (in-flight count, metrics, log line).
 */
import type { TokenguardError } from '../../errors/tokenguard-error.ts';
import type { Member } from './balancer.ts';
import type { ProxyContext } from './context.ts';
import { failureReason, isUpstreamFault, logFailure } from './errors.ts';
import type { Target } from './targets.ts';
import type { ForwardPlan, ProxyFailureReason, ProxyOutcome } from './types.ts';

export class Attempts {
  readonly context: ProxyContext;
  /** The URL of the current attempt. */
  member: Member<Target> | undefined;
  readonly #requestId: string;
  readonly #method: string | undefined;
  readonly #resolve: (outcome: ProxyOutcome) => void;
  readonly #startedAt = performance.now();
  #tried: Set<Target> | undefined;
  #lastError: TokenguardError | undefined;
  #settled = false;

  constructor(
    context: ProxyContext,
    method: string | undefined,
    plan: ForwardPlan,
    resolve: (outcome: ProxyOutcome) => void,
  ) {
    this.context = context;
    this.#method = method;
    this.#requestId = plan.requestId;
    this.#resolve = resolve;
    context.inFlight.enter();
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** The URL of the current attempt, as configured (for outcomes). */
  get upstream(): string | undefined {
    return this.member?.target.url;
  }

  /**
   * Picks the URL of the next attempt. When every URL already failed before anything was sent, the last
   * of those failures is returned instead, for the caller to answer.
   */
  next(): Member<Target> | TokenguardError {
    const member = this.context.balancer.pick(this.#tried);
    if (member === undefined) return this.#lastError!;
    this.member = member;
    return member;
  }

  /** Counts `failure` against the current URL when it is the upstream's fault (passive health). */
  failed(failure: TokenguardError): void {
    if (isUpstreamFault(failure)) this.context.balancer.failed(this.member!);
  }

  /** The current attempt failed before anything was sent: the next one skips its URL. */
  failOver(failure: TokenguardError): void {
    this.#lastError = failure;
    this.#tried ??= new Set();
    this.#tried.add(this.member!.target);
    this.log(failure, 'upstream attempt failed, trying another URL');
  }

  /** The outcome of answering `failure` with the engine's own 502/504. */
  failure(failure: TokenguardError): ProxyOutcome {
    const status = failure.httpStatus === 504 ? 504 : 502;
    return { kind: 'failed', upstream: this.upstream, status, reason: failureReason(failure) };
  }

  /** The outcome when the client left: after the upstream's `status` was relayed, or before (0). */
  clientClosed(status = 0): ProxyOutcome {
    return this.cut(status, 'client_closed');
  }

  /** The outcome of a response cut by `reason` after its `status` was sent (0: no status was sent). */
  cut(status: number, reason: ProxyFailureReason): ProxyOutcome {
    const upstream = this.upstream;
    return status && upstream !== undefined
      ? { kind: 'proxied', upstream, status, reason }
      : { kind: 'failed', upstream, status: 502, reason };
  }

  /** Settles the exchange once: later calls are ignored. */
  settle(outcome: ProxyOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.context.inFlight.leave();
    this.context.metrics?.onResult?.(outcome, performance.now() - this.#startedAt);
    this.#resolve(outcome);
  }

  log(failure: TokenguardError, msg: string): void {
    const scope = { requestId: this.#requestId, method: this.#method, upstream: this.upstream };
    logFailure(this.context.logger, scope, failure, msg);
  }
}
