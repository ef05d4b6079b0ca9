// Where breaker states and cooldowns live: this process's memory, Redis shared by instances, or
// a cluster's primary process shared by its workers.
import { createMemoryBreakerStore, createMemoryCooldownStore } from '../policy/index.ts';
import { createRedisState } from './redis-state.ts';
import type { SharedState, StateHealth } from './types.ts';

export function createMemoryState(): SharedState {
  return {
    breakerStore: createMemoryBreakerStore(),
    cooldownStore: createMemoryCooldownStore(),
    health: () => ({ backend: 'memory', status: 'ok' }),
    ready: async () => true,
    close: async () => {},
  };
}

/** `{ redis: URL }` shares state through Redis; anything else keeps it in memory. */
export function createState(
  config:
    | {
        redis?: string;
        prefix?: string;
        syncIntervalMs?: number;
        commandTimeoutMs?: number;
        keyTtlMs?: number;
      }
    | undefined,
  onHealthChange?: (health: StateHealth) => void,
): SharedState {
  if (!config?.redis) return createMemoryState();
  return createRedisState({
    url: config.redis,
    ...(config.prefix ? { prefix: config.prefix } : {}),
    ...(config.syncIntervalMs ? { syncIntervalMs: config.syncIntervalMs } : {}),
    ...(config.commandTimeoutMs ? { commandTimeoutMs: config.commandTimeoutMs } : {}),
    ...(config.keyTtlMs ? { keyTtlMs: config.keyTtlMs } : {}),
    ...(onHealthChange ? { onHealthChange } : {}),
  });
}

export { createStateHub, type StateHub } from './cluster-hub.ts';
export { isStateMessage, type StateChannel, type StateMessage } from './cluster-protocol.ts';
export { createClusterState, processChannel } from './cluster-state.ts';
export { createRedisState, type RedisStateOptions } from './redis-state.ts';
export type { SharedState, StateHealth } from './types.ts';
