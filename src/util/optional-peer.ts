/**
 * @module util/optional-peer
 * The heavy optional peer dependencies of the scale-out features, `pg` (the PostgreSQL store) and `ioredis`
 * (the shared cache and revocation events), imported on first use only, so a deployment on the embedded
 * defaults never needs them installed. A missing package is a configuration error naming the key that asked
 * for it and the command that installs it, not a bare "Cannot find package".
 */
import { configInvalid } from '../errors/tokenguard-error.ts';

export type PgModule = typeof import('pg');
/** The `Redis` client class of ioredis. */
export type RedisClass = typeof import('ioredis').Redis;

const loaded = new Map<string, Promise<unknown>>();

function load<T>(name: string, configPath: string, importer: () => Promise<T>): Promise<T> {
  let module = loaded.get(name) as Promise<T> | undefined;
  if (module === undefined) {
    module = importer().catch((error: unknown) => {
      loaded.delete(name);
      const code = (error as { code?: string }).code;
      if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
        throw configInvalid(configPath, `this feature needs the package ${name} (npm i ${name})`);
      }
      throw error;
    });
    loaded.set(name, module);
  }
  return module;
}

/** `pg` (node-postgres); `configPath` names the setting that asked for it, for the error message. */
export function loadPg(configPath: string): Promise<PgModule> {
  return load('pg', configPath, () => import('pg'));
}

/** The `Redis` class of `ioredis`; `configPath` names the setting that asked for it, for the error message. */
export function loadRedis(configPath: string): Promise<RedisClass> {
  return load('ioredis', configPath, async () => (await import('ioredis')).Redis);
}
