/**
 * @module introspection/tls
 * The TLS options of the HttpClient that calls the introspection endpoint, read from the PEM files of
 * `auth.introspection.tls`: a private CA (RFC 7662 §4: the caller MUST check the server certificate) and the
 * client certificate of mutual TLS (RFC 8705 §2, `tls_client_auth`). Read once, at startup.
 */
import { readFileSync } from 'node:fs';
import type { AuthConfig } from '../config/schema.ts';
import { configInvalid } from '../errors/tokenguard-error.ts';
import type { HttpClientOptions } from '../util/http-client.ts';

type TlsConfig = AuthConfig['introspection']['tls'];

/**
 * `HttpClientOptions['tls']` for `config`, or undefined when it asks for nothing beyond the defaults. A file
 * that cannot be read, or a certificate without its key, is a configuration error.
 */
export function readTlsOptions(
  config: TlsConfig,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): HttpClientOptions['tls'] {
  if (Boolean(config.clientCert) !== Boolean(config.clientKey)) {
    throw configInvalid('auth.introspection.tls.clientCert', 'and clientKey must be set together');
  }
  const read = (key: 'caCert' | 'clientCert' | 'clientKey') => {
    const path = config[key];
    if (!path) return undefined;
    try {
      return readFile(path);
    } catch {
      // A key's value is not repeated: it may be key material pasted where a file name belongs.
      const named = key === 'clientKey' ? 'it names' : path;
      throw configInvalid(`auth.introspection.tls.${key}`, `cannot read the file ${named}`);
    }
  };
  const tls: NonNullable<HttpClientOptions['tls']> = {};
  const ca = read('caCert');
  const cert = read('clientCert');
  const key = read('clientKey');
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  if (!config.rejectUnauthorized) tls.rejectUnauthorized = false;
  return Object.keys(tls).length > 0 ? tls : undefined;
}
