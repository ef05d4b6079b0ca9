// The gateway: any SDK pointed at it by base URL gets outlast's resilience.
export {
  buildJsonSchema,
  type ChaosRule,
  type GatewayConfig,
  type GatewayConfigInput,
  gatewayConfigSchema,
  generateKey,
  hashKey,
  loadConfigFile,
  parseConfig,
} from './config/index.ts';
export {
  GATEWAY_DEFAULTS,
  type Gateway,
  type GatewayDeps,
  type ReloadResult,
  type StartGatewayOptions,
  startGateway,
  startGatewayWith,
} from './start-gateway.ts';
