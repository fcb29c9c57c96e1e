/**
 * @module gateway
 * Public API of the gateway: `createGateway` (the in-process gateway: proxy and API listeners, reload,
 * drain), its configuration (schema, loading, types), the authenticator factory the scale-out parts plug
 * caches into, and the CLI command.
 */
export {
  type AuthenticatorCaches,
  type AuthenticatorDeps,
  type BuiltAuthenticator,
  buildAuthenticators,
} from './authenticators.ts';
export { gatewayCommand } from './cli.ts';
export {
  GATEWAY_SECTION,
  type GatewayConfig,
  keyPath,
  type LoadGatewayConfigOptions,
  loadGatewayConfig,
  parseGatewayConfig,
  type ResolvedRoute,
  readGatewaySection,
} from './config/load.ts';
export { renderGatewayConfigReference } from './config/reference.ts';
export {
  type ForwardConfig,
  type GatewayConfigInput,
  type GatewaySection,
  gatewaySchema,
  type MatchConfig,
  type RouteAuthConfig,
  type RouteConfig,
  type RouteConfigInput,
  routeSchema,
  type UpstreamConfig,
} from './config/schema.ts';
export { DECISIONS_PATH } from './decision-handler.ts';
export { createGateway, type Gateway, type GatewayOptions } from './gateway.ts';
export type { DecisionOutcome, GatewayMetrics } from './metrics.ts';
export type { ForwardPlan, ProxyOutcome, Upstream, UpstreamSpec } from './proxy/types.ts';
