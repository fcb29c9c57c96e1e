/**
 * @module introspection/test-support/metadata-source
 * A small real `MetadataSource` for tests: GETs `<issuer>/.well-known/openid-configuration` (OpenID
 * Connect Discovery 1.0 §4) from the stub IdP, without the caching of the real discovery client.
 */
import type { AuthorizationServerMetadata, MetadataSource } from '../../discovery/types.ts';
import { serviceUnavailable } from '../../errors/tokenguard-error.ts';
import type { HttpClient } from '../../util/http-client.ts';

export class StubMetadataSource implements MetadataSource {
  readonly #http: HttpClient;
  /** Issuers asked for, in order. */
  readonly asked: string[] = [];

  constructor(http: HttpClient) {
    this.#http = http;
  }

  async get(issuerUrl: string, signal?: AbortSignal): Promise<AuthorizationServerMetadata> {
    this.asked.push(issuerUrl);
    const url = `${issuerUrl.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await this.#http.send('discovery', url, { signal });
    if (response.status !== 200) {
      throw serviceUnavailable('discovery_failed', `${url} answered ${response.status}`);
    }
    return JSON.parse(response.body) as AuthorizationServerMetadata;
  }
}
