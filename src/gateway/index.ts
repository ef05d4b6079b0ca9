// The gateway: any SDK pointed at it by base URL gets outlast's resilience.

export {
  type GatewayCluster,
  type GatewayClusterOptions,
  startGatewayCluster,
} from './cluster/primary.ts';
export type { ClusterStatus, WorkerInfo } from './cluster/protocol.ts';
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
