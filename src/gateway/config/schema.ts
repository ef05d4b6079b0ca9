/**
 * The gateway's YAML: the library's options (providers, routes, retry, timeout, breaker,
 * stream, models; reused from the engine's schema, minus the code-only logger and `on`), plus
 * `server`, `keys`, `state`, `logging` and `chaos`.
 */
import { z } from 'zod';
import { clientOptionsSchema } from '../../engine/config.ts';

export const KEY_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;
const keyHash = z
  .string({ error: 'expected "sha256:<64 hex digits>" (make one with `outlast hash-key`)' })
  .regex(KEY_HASH_PATTERN, 'expected "sha256:<64 hex digits>" (make one with `outlast hash-key`)');

const count = z
  .number({ error: 'expected a positive integer' })
  .int('expected a positive integer')
  .min(1, 'expected a positive integer');
const ms = z.number({ error: 'expected a number of ms >= 0' }).min(0, 'expected a number of ms >= 0');

export const serverSchema = z.strictObject({
  /** Default 4000. */
  port: z.number().int().min(0, 'expected a port 0-65535').max(65535, 'expected a port 0-65535').optional(),
  /** Default 127.0.0.1; `0.0.0.0` to listen on every interface (containers). */
  host: z.string().min(1).optional(),
  /**
   * Worker processes of `outlast gateway` serving this port, or `auto` (one per available core);
   * default 1 (no cluster). `--workers` overrides it; a reload does not change it. Only the CLI
   * and `startGatewayCluster` fork; `startGateway` serves in its own process.
   */
  workers: z
    .union([z.literal('auto'), count.max(1024, 'expected at most 1024 workers')], {
      error: 'expected a positive integer or auto',
    })
    .optional(),
  /** Larger request bodies get 413; default 32 MiB (Anthropic's own limit). */
  bodyLimitBytes: z.number().int().min(1, 'expected a positive integer').optional(),
  /** On SIGTERM, how long in-flight calls may run before they are cut; default 30 000 ms. */
  drainTimeoutMs: ms.optional(),
  /** On SIGTERM, how long idle keep-alive connections stay open so a client reusing one gets 503 + retry-after rather than a reset; default 1000 ms (ends early once none is open). */
  drainGraceMs: ms.optional(),
  /** A keep-alive event on a streaming response quiet for this long; default 10 000 ms. */
  keepAliveMs: ms.min(100, 'expected at least 100 ms').optional(),
  /** Open connections; one over it gets 503 + retry-after (health checks are still answered); default 4096. */
  maxConnections: count.optional(),
  /** Model calls being served at once; the next gets 503 + retry-after; default 1024. */
  maxInFlight: count.optional(),
  /** A request's headers must arrive within this (slowloris); 408 after; default 15 000 ms. */
  headersTimeoutMs: ms.min(50, 'expected at least 50 ms').optional(),
  /** The whole request, body included, must arrive within this; 408 after; default 60 000 ms. */
  requestTimeoutMs: ms.min(50, 'expected at least 50 ms').optional(),
  /** An idle keep-alive connection is closed after this; default 65 000 ms (longer than load balancers' 60 s). */
  keepAliveTimeoutMs: ms.min(50, 'expected at least 50 ms').optional(),
  /** Request line and headers together; larger get 431; default 32 768 bytes. */
  maxHeaderBytes: count.min(1024, 'expected at least 1024 bytes').optional(),
  /** Nesting of the JSON body; deeper gets 400; default 128. */
  maxJsonDepth: count.optional(),
  /** Nesting of one tool's input schema; deeper gets 400; default 64. */
  maxToolSchemaDepth: count.optional(),
  /** Request bodies being read or served at once, in bytes; a body that would go over gets 503 + retry-after; default the smaller of 256 MiB and an eighth of the heap limit. */
  largeBodyBudgetBytes: count.optional(),
});

export const gatewayKeySchema = z.union(
  [keyHash, z.strictObject({ name: z.string().optional(), hash: keyHash })],
  { error: 'expected "sha256:<hex>" or { name, hash }' },
);

export const stateSchema = z.strictObject({
  /** `redis://host:port/db`: breakers and cooldowns shared by every instance using it. */
  redis: z
    .string({ error: 'expected a redis:// URL' })
    .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
    .optional(),
  /** Key prefix in Redis; default `outlast`. */
  prefix: z.string().min(1).optional(),
  /** Full resync with Redis; default 500 ms. */
  syncIntervalMs: z
    .number()
    .int()
    .min(50, 'expected at least 50 ms')
    .max(1000, 'expected at most 1000 ms')
    .optional(),
  /** A Redis command not answered within this fails and the store is degraded (a frozen Redis); default 1000 ms. */
  /** The keys in Redis expire after this unless refreshed by a resync; default 86 400 000 ms (a day). */
  keyTtlMs: z.number().int().min(1000, 'expected at least 1000 ms').optional(),
  commandTimeoutMs: z
    .number()
    .int()
    .min(50, 'expected at least 50 ms')
    .max(60_000, 'expected at most 60 000 ms')
    .optional(),
});

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const loggingSchema = z.strictObject({
  /** Default `info`. */
  level: z.enum(LOG_LEVELS).optional(),
  /** One line per request (request id, endpoint, route, model, attempts, outcome, status, duration, tokens); default true. */
  requests: z.boolean().optional(),
  /** Human-readable lines instead of JSON; default: when stdout is a terminal. */
  pretty: z.boolean().optional(),
});

export const CHAOS_FAULTS = [
  'rate_limited',
  'overloaded',
  'server',
  'network',
  'slow_first_token',
  'stream_interrupted',
] as const;
export type ChaosFault = (typeof CHAOS_FAULTS)[number];

export const chaosRuleSchema = z.strictObject({
  /** The route whose live traffic gets the fault. */
  route: z.string({ error: 'expected a route name' }),
  fault: z.enum(CHAOS_FAULTS, { error: `expected one of ${CHAOS_FAULTS.join(', ')}` }),
  /** Share of the route's calls whose first attempt gets the fault. */
  rate: z
    .number({ error: 'expected a number between 0 and 1' })
    .min(0, 'expected a number between 0 and 1')
    .max(1, 'expected a number between 0 and 1'),
  /** Only attempts on this target (`provider/model`); default the first one the call tries. */
  target: z.string().optional(),
  /** `slow_first_token`: how long the first token is held back; default 30 000 ms. */
  delayMs: ms.optional(),
  /** `stream_interrupted`: content parts passed before the cut; default 3. */
  afterParts: z.number().int().min(0).optional(),
  /** `rate_limited`: the retry-after hint sent with it; default 1000 ms. */
  retryAfterMs: ms.optional(),
});
export type ChaosRule = z.output<typeof chaosRuleSchema>;

export const gatewayConfigSchema = clientOptionsSchema.omit({ logger: true, on: true }).extend({
  /** The JSON Schema's own location, for editors; ignored. */
  $schema: z.string().optional(),
  server: serverSchema.optional(),
  /**
   * Serve `model` names the config does not name (passed to the provider they resolve to); they
   * share one metrics label, `other`. Default false: such a request gets a 400 listing the routes.
   */
  allowAnyModel: z.boolean().optional(),
  /**
   * Keys for the operator's endpoints (/metrics, /status, /dashboard), stored hashed, apart from the
   * client keys (a client key opens none of them). Absent: those endpoints are open.
   */
  admin: z.strictObject({ keys: z.array(keyHash).min(1, 'expected at least one admin key') }).optional(),
  /** Gateway keys, stored hashed. Empty or absent: the gateway is open to anyone who can reach it. */
  keys: z.array(gatewayKeySchema).optional(),
  state: stateSchema.optional(),
  logging: loggingSchema.optional(),
  /** OpenTelemetry: `otlp` turns on an OTLP/HTTP trace exporter (without it, spans go to whatever provider the process registered, if any). */
  telemetry: z
    .strictObject({
      otlp: z
        .strictObject({
          /** The OTLP/HTTP traces URL, e.g. `http://127.0.0.1:4318/v1/traces`. */
          endpoint: z.url({ error: 'expected an http(s) URL' }),
          /** `service.name`; default `outlast-gateway`. */
          serviceName: z.string().min(1).optional(),
          headers: z.record(z.string(), z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
  /** Fault injection into live traffic, for staging. */
  chaos: z.array(chaosRuleSchema).optional(),
});

export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
