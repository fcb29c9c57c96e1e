/**
 * @module gateway/authenticators
 * The gateway's named authenticators, built in one place: one `Authenticator` (so one cache, one set of
 * IdP connections) per entry of `gateway.authenticators`, shared by every route that names it. On reload an
 * authenticator whose section did not change is carried over with its warm cache. The caches can be
 * injected per authenticator (a shared Redis cache, with revocation events evicting from it).
 */
import type { AuthConfig } from '../config/schema.ts';
import { createGrpcAuthenticator } from '../grpc/create.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Authenticator } from '../pipeline/authenticator.ts';
import { type AuthenticatorOptions, createAuthenticator } from '../pipeline/create-authenticator.ts';

export type AuthenticatorCaches = NonNullable<AuthenticatorOptions['caches']>;

export interface BuiltAuthenticator {
  readonly name: string;
  readonly config: AuthConfig;
  /** The section as JSON: equal fingerprints mean an equal authenticator. */
  readonly fingerprint: string;
  readonly authenticator: Authenticator;
}

export interface AuthenticatorDeps {
  readonly logger: Logger;
  /** The library's metrics, created once per registry and shared by every authenticator. */
  readonly metrics: Metrics;
  /** Caches of an authenticator; default its own in-process LRUs. */
  readonly caches?: (name: string, config: AuthConfig) => AuthenticatorCaches | undefined;
  /** The authenticators of the configuration in force, reused when their section is unchanged. */
  readonly previous?: ReadonlyMap<string, BuiltAuthenticator>;
}

async function create(name: string, config: AuthConfig, deps: AuthenticatorDeps): Promise<Authenticator> {
  const options: AuthenticatorOptions = {
    config,
    logger: deps.logger.child({ authenticator: name }),
    metrics: deps.metrics,
    caches: deps.caches?.(name, config),
  };
  // gRPC introspection needs an asynchronous start; without a gRPC endpoint this is createAuthenticator.
  return config.introspection.grpc.endpoint ? createGrpcAuthenticator(options) : createAuthenticator(options);
}

/**
 * Builds (or carries over) every authenticator of `sections`. If one fails, the ones built by this call
 * are closed again and the error is thrown: a configuration is applied completely or not at all.
 */
export async function buildAuthenticators(
  sections: Readonly<Record<string, AuthConfig>>,
  deps: AuthenticatorDeps,
): Promise<Map<string, BuiltAuthenticator>> {
  const built = new Map<string, BuiltAuthenticator>();
  const fresh: Authenticator[] = [];
  try {
    for (const [name, config] of Object.entries(sections)) {
      const fingerprint = JSON.stringify(config);
      const previous = deps.previous?.get(name);
      if (previous && previous.fingerprint === fingerprint) {
        built.set(name, previous);
        continue;
      }
      const authenticator = await create(name, config, deps);
      fresh.push(authenticator);
      built.set(name, { name, config, fingerprint, authenticator });
    }
  } catch (error) {
    await Promise.allSettled(fresh.map((authenticator) => authenticator.close()));
    throw error;
  }
  return built;
}
