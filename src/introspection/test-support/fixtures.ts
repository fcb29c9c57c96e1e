/**
 * @module introspection/test-support/fixtures
 * What the introspection tests share: parsed configuration with real defaults, an HttpClient that does not
 * retry (so each request the stub sees is one the code under test decided to send), the suite set-up around
 * the stub IdP, and the assertion that a failure is the expected `serviceUnavailable` and leaks no secret.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import { rejectsWith } from '../../../test/support/assertions.ts';
import { type AuthConfig, type AuthConfigInput, authConfigSchema } from '../../config/schema.ts';
import type { ErrorReason, TokenguardError } from '../../errors/tokenguard-error.ts';
import { HttpClient, type HttpClientOptions } from '../../util/http-client.ts';
import { StubMetadataSource } from './metadata-source.ts';
import { StubIdp } from './stub-idp.ts';

export type IntrospectionInput = NonNullable<AuthConfigInput['introspection']>;

/** `auth.introspection` as the schema parses it (defaults filled, durations in ms). */
export function introspectionConfig(input: IntrospectionInput): AuthConfig['introspection'] {
  return authConfigSchema.parse({ introspection: input }).introspection;
}

export function testHttpClient(options: HttpClientOptions = {}): HttpClient {
  return new HttpClient({ retries: 0, timeoutMs: 2000, ...options });
}

/** What `useStubIdp` gives a suite. */
export interface StubIdpSuite {
  idp: StubIdp;
  /** A `testHttpClient()`. */
  http: HttpClient;
  metadata: StubMetadataSource;
}

/**
 * The set-up most introspection suites share, registered on the calling `describe`: a plain-HTTP stub IdP
 * listening from the suite's first `before` on, a non-retrying HttpClient and a metadata source over it, all
 * closed after the suite. Before each test the requests the stub recorded and the issuers the metadata
 * source was asked for are forgotten; the handler is left as the suite set it.
 */
export function useStubIdp(): StubIdpSuite {
  const idp = new StubIdp();
  const http = testHttpClient();
  const metadata = new StubMetadataSource(http);
  before(() => idp.start());
  after(async () => {
    await http.close();
    await idp.close();
  });
  beforeEach(() => {
    idp.requests.length = 0;
    metadata.asked.length = 0;
  });
  return { idp, http, metadata };
}

/** A fixed clock the test moves by hand. */
export class TestClock {
  ms: number;
  constructor(ms = Date.UTC(2030, 0, 1)) {
    this.ms = ms;
  }
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * Awaits `promise`, expecting it to reject with a 503 `TokenguardError` of `reason`, and checks that no
 * `secrets` (tokens, client secrets, our access token) appear in its message or detail. Returns it.
 */
export async function rejectsUnavailable(
  promise: Promise<unknown>,
  reason: ErrorReason,
  secrets: readonly string[] = [],
): Promise<TokenguardError> {
  const error = await rejectsWith(promise, 'serviceUnavailable', reason);
  assert.equal(error.httpStatus, 503);
  for (const secret of secrets) {
    assert.ok(!error.message.includes(secret), `message leaks a secret: ${error.message}`);
    assert.ok(!(error.detail ?? '').includes(secret), `detail leaks a secret: ${error.detail}`);
  }
  return error;
}
