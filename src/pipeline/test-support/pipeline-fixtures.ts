/**
 * @module pipeline/test-support/pipeline-fixtures
 * What the pipeline's tests share: the suite set-up around the stub IdP, a logger whose JSON lines the test
 * reads, and an IdP answer held back until the test releases it (to act while an introspection is in
 * flight). Not shipped.
 */
import { Writable } from 'node:stream';
import { after, before } from 'node:test';
import { type StubAnswer, type StubIdp, startStubIdp } from '../../../test/support/stub-idp.ts';
import { createLogger, type Logger } from '../../observability/logger.ts';
import type { Authenticator } from '../authenticator.ts';

export interface PipelineSuite {
  /** The stub IdP, listening from the suite's first `before` on. */
  readonly idp: StubIdp;
  /** Registers an authenticator to close after the suite; returns it. */
  track(authenticator: Authenticator): Authenticator;
}

/** Registers, on the calling `describe`, a stub IdP and the closing of every tracked authenticator. */
export function usePipelineSuite(): PipelineSuite {
  let idp: StubIdp | undefined;
  const open: Authenticator[] = [];
  before(async () => {
    idp = await startStubIdp();
  });
  after(async () => {
    await Promise.all(open.map((authenticator) => authenticator.close()));
    await idp?.close();
  });
  return {
    get idp() {
      if (!idp) throw new Error('the stub IdP starts in the suite’s before hook');
      return idp;
    },
    track(authenticator) {
      open.push(authenticator);
      return authenticator;
    },
  };
}

/** A real pino logger writing into `lines`, one parsed object per line. */
export function capturedLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger({ destination }), lines };
}

/**
 * Makes `idp` hold its next introspection answers back: `arrived` resolves when a call reached the IdP,
 * `release()` lets the held calls answer `answer`. The test restores `idp.answer` itself.
 */
export function holdAnswers(idp: StubIdp, answer: StubAnswer): { arrived: Promise<void>; release(): void } {
  const arrival = Promise.withResolvers<void>();
  const gate = Promise.withResolvers<void>();
  idp.answer = async () => {
    arrival.resolve();
    await gate.promise;
    return answer;
  };
  return { arrived: arrival.promise, release: () => gate.resolve() };
}
