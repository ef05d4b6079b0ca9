/**
 * The engine: one request over a route, targets × attempts × policies, stream recovery and
 * the trace. The library client, the fetch adapter and the gateway all run on it.
 */
import { OutlastError } from '../errors/index.ts';
import {
  type BreakerStore,
  type Clock,
  type CooldownStore,
  createRetryBudget,
  realClock,
} from '../policy/index.ts';
import type { CanonicalRequest } from '../wire/canonical/index.ts';
import type { ClientCodec } from '../wire/codec.ts';
import { newRequestId } from '../wire/shared/request-id.ts';
import { createResponseHomes } from './attempt/response-homes.ts';
import { type CallOptions, type EngineCall, startCall } from './call/start-call.ts';
import { type ClientOptionsInput, clientOptionsSchema, type ProviderType } from './config.ts';
import { createDefaultTransport, defaultCodecFor, defaultIsPrefillRejection } from './defaults.ts';
import { createEventHub, type EngineEvent } from './events.ts';
import { createHealth, type TargetStatus } from './health.ts';
import { targetOf } from './routes.ts';
import { createBalancing } from './routing/balancing.ts';
import { createHedgeBudgets } from './routing/hedge.ts';
import { createPacing, NO_PACING } from './routing/pacing.ts';
import { type EngineSettings, resolveSettings } from './settings.ts';
import { runSideCall, type SideCallAnswer, type SideCallRequest } from './side-call.ts';
import { createTargetStats } from './target-stats.ts';
import type { EngineTransport } from './upstream.ts';

export type EngineOptions = ClientOptionsInput;

export interface EngineDeps {
  transport?: EngineTransport;
  clock?: Clock;
  /** In [0, 1); for jitter. */
  random?: () => number;
  breakerStore?: BreakerStore;
  cooldownStore?: CooldownStore;
  /** The client codec of each wire format; defaults to src/wire's. Closed by the engine only when it made it. */
  codecFor?: (type: ProviderType) => ClientCodec;
  /** Recognises a target's refusal of an assistant prefill; defaults to the Anthropic codec's check. */
  isPrefillRejection?: (error: OutlastError) => boolean;
}

export interface Engine {
  /** One call over its route. The engine always streams from the upstream, streaming call or not. */
  execute(request: CanonicalRequest, options?: CallOptions): EngineCall;
  /** A JSON call that is not a generation (embeddings, token counts), with the same retries, breakers and fallback. */
  sideCall(request: SideCallRequest, options?: { signal?: AbortSignal }): Promise<SideCallAnswer>;
  /** Subscribe to events; returns an unsubscribe function. */
  on(listener: (event: EngineEvent) => void): () => void;
  /** Per target: breaker state, cooldown, latency percentiles, success rate, recent failures. */
  status(): TargetStatus[];
  /** Routes and the models they reach (for /v1/models). */
  models(): Array<{ id: string; kind: 'route' | 'model'; targets: string[] }>;
  /**
   * Cancels the calls still running (with `reason` when given, e.g. a gateway's retryable
   * "shutting down"; else a cancellation) and releases the transport.
   */
  close(reason?: OutlastError): Promise<void>;
  /** The settings the engine runs on, defaults filled in. */
  readonly settings: EngineSettings;
}

const OPTION_KEYS = Object.keys(clientOptionsSchema.shape);

/** Only the client options are read: a gateway config may carry more (keys, state, logging). */
function pickClientOptions(options: EngineOptions): Record<string, unknown> {
  const source = options as Record<string, unknown>;
  return Object.fromEntries(OPTION_KEYS.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}

export function createEngine(options: EngineOptions, deps: EngineDeps = {}): Engine {
  const settings = resolveSettings(pickClientOptions(options));
  const clock = deps.clock ?? realClock;
  const random = deps.random ?? Math.random;
  const hub = createEventHub();
  if (settings.on) hub.on(settings.on);
  const health = createHealth(settings, hub, {
    clock,
    ...(deps.breakerStore ? { breakerStore: deps.breakerStore } : {}),
    ...(deps.cooldownStore ? { cooldownStore: deps.cooldownStore } : {}),
    // Asked only once calls run, when configuredTargets below is defined.
    isConfigured: (key) => {
      configuredKeys ??= new Set(configuredTargets().keys());
      return configuredKeys.has(key);
    },
  });
  let configuredKeys: Set<string> | undefined;
  const budget =
    settings.retry.budget === false ? undefined : createRetryBudget({ ...settings.retry.budget, clock });
  const balancing = createBalancing(settings, { clock, random });
  const stats = createTargetStats(clock);
  const hedgeBudget = createHedgeBudgets(clock);
  const pacing = settings.pacing ? createPacing({ clock, health }) : NO_PACING;
  const transport = deps.transport ?? createDefaultTransport();
  const codecFor = deps.codecFor ?? defaultCodecFor;
  const isPrefillRejection = deps.isPrefillRejection ?? defaultIsPrefillRejection;
  const responseHomes = createResponseHomes();
  const calls = new Set<EngineCall>();
  let closed = false;

  /** Targets the configuration names: routes, then models listed under a provider. */
  const configuredTargets = () => {
    const keys = new Map<string, ReturnType<typeof targetOf>>();
    for (const route of Object.values(settings.routes))
      for (const ref of route.targets) keys.set(ref, targetOf(ref));
    for (const [provider, config] of Object.entries(settings.providers))
      for (const model of config.models ?? [])
        keys.set(`${provider}/${model}`, targetOf(`${provider}/${model}`));
    return keys;
  };
  const allTargets = () => {
    const keys = configuredTargets();
    for (const t of health.seen()) if (!keys.has(t.key)) keys.set(t.key, t);
    return [...keys.values()];
  };

  return {
    settings,
    execute(request, callOptions) {
      if (closed) {
        throw new OutlastError({ kind: 'cancelled', message: 'the engine is closed' });
      }
      const call = startCall(
        {
          settings,
          health,
          hub,
          transport,
          clock,
          random,
          codecFor,
          responseHomes,
          isPrefillRejection,
          budget,
          balancing,
          pacing,
          requestId: newRequestId(),
          stats,
          hedgeBudget,
        },
        request,
        callOptions,
      );
      calls.add(call);
      void call.trace.then(() => calls.delete(call));
      return call;
    },
    on: (listener) => hub.on(listener),
    sideCall(request, callOptions) {
      if (closed)
        return Promise.reject(new OutlastError({ kind: 'cancelled', message: 'the engine is closed' }));
      return runSideCall({ settings, health, transport, clock, random, codecFor }, request, callOptions);
    },
    status: () => health.status(allTargets()),
    models() {
      const routes = Object.entries(settings.routes).map(([id, route]) => ({
        id,
        kind: 'route' as const,
        targets: [...route.targets],
      }));
      const models = [...configuredTargets().values()].map((t) => ({
        id: t.key,
        kind: 'model' as const,
        targets: [t.key],
      }));
      return [...routes, ...models];
    },
    async close(reason?: OutlastError) {
      closed = true;
      for (const call of calls)
        call.cancel(reason ?? new OutlastError({ kind: 'cancelled', message: 'the engine closed' }));
      await Promise.allSettled([...calls].map((c) => c.trace));
      health.dispose();
      if (!deps.transport) await transport.close();
    },
  };
}

export { DEFAULT_BASE_URLS } from '../wire/index.ts';
export type { CallOptions, EngineCall } from './call/start-call.ts';
export { forEachQueued, type Pullable } from './channel.ts';
export type { ClientOptionsInput, LoggerLike, OnInterrupt, ProviderConfig, TimeoutOption } from './config.ts';
export { clientOptionsSchema, parseOptions } from './config.ts';
export type { EngineEvent, EngineEventType, SkipReason, Trace } from './events.ts';
export type { TargetStatus } from './health.ts';
export { BUILTIN_MODELS, type ModelInfo } from './models.ts';
export type { EngineSettings } from './settings.ts';
export type { SideCallAnswer, SideCallRequest, SideCallTarget } from './side-call.ts';
export { TIMEOUT_PROFILE_TABLE } from './timeouts.ts';
export type { EngineTransport, EngineUpstreamStream, EngineUpstreamTarget } from './upstream.ts';
