/**
 * The gateway's limits with the defaults a production operator would pick (README, Limits):
 * enough headroom for real traffic, and none of them lets one client take the process down.
 */
import { getHeapStatistics } from 'node:v8';
import type { GatewayConfig } from '../config/index.ts';

export interface ServerLimits {
  readonly bodyLimitBytes: number;
  readonly maxConnections: number;
  readonly maxInFlight: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxHeaderBytes: number;
  readonly maxJsonDepth: number;
  readonly maxToolSchemaDepth: number;
  readonly largeBodyBudgetBytes: number;
}

/**
 * A body of N bytes costs several times N while it is parsed and served (the string, the
 * parsed object, the canonical request, the upstream body): 16 bodies of 32 MiB took 2.3 GB.
 * An eighth of the heap limit for bodies at once keeps that well inside the heap.
 */
function defaultBodyBudget(): number {
  return Math.min(256 * 1024 * 1024, Math.floor(getHeapStatistics().heap_size_limit / 8));
}

export const LIMIT_DEFAULTS = {
  bodyLimitBytes: 32 * 1024 * 1024,
  maxConnections: 4096,
  maxInFlight: 1024,
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 65_000,
  maxHeaderBytes: 32 * 1024,
  maxJsonDepth: 128,
  maxToolSchemaDepth: 64,
} as const;

export function resolveLimits(server: GatewayConfig['server']): ServerLimits {
  const requestTimeoutMs = server?.requestTimeoutMs ?? LIMIT_DEFAULTS.requestTimeoutMs;
  return {
    bodyLimitBytes: server?.bodyLimitBytes ?? LIMIT_DEFAULTS.bodyLimitBytes,
    maxConnections: server?.maxConnections ?? LIMIT_DEFAULTS.maxConnections,
    maxInFlight: server?.maxInFlight ?? LIMIT_DEFAULTS.maxInFlight,
    // node:http refuses a headers timeout longer than the request's.
    headersTimeoutMs: Math.min(server?.headersTimeoutMs ?? LIMIT_DEFAULTS.headersTimeoutMs, requestTimeoutMs),
    requestTimeoutMs,
    keepAliveTimeoutMs: server?.keepAliveTimeoutMs ?? LIMIT_DEFAULTS.keepAliveTimeoutMs,
    maxHeaderBytes: server?.maxHeaderBytes ?? LIMIT_DEFAULTS.maxHeaderBytes,
    maxJsonDepth: server?.maxJsonDepth ?? LIMIT_DEFAULTS.maxJsonDepth,
    maxToolSchemaDepth: server?.maxToolSchemaDepth ?? LIMIT_DEFAULTS.maxToolSchemaDepth,
    largeBodyBudgetBytes: server?.largeBodyBudgetBytes ?? defaultBodyBudget(),
  };
}
