export { createKeyCheck, generateKey, hashKey } from './hash-key.ts';
export { interpolateEnv } from './interpolate.ts';
export { buildJsonSchema } from './json-schema.ts';
export { configError, loadConfigFile, parseConfig, validateConfig } from './load.ts';
export {
  CHAOS_FAULTS,
  type ChaosFault,
  type ChaosRule,
  type GatewayConfig,
  type GatewayConfigInput,
  gatewayConfigSchema,
} from './schema.ts';
