/**
 * Fault injection into live traffic, for staging: a share of a route's calls get a chosen
 * fault on their first attempt (or on one target's attempts), injected in the transport so
 * the engine handles it exactly like a real one (retry, fall back, continue the stream).
 * The route is carried to the transport by AsyncLocalStorage from the request handler.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EngineTransport, EngineUpstreamStream } from '../engine/index.ts';
import { OutlastError, SPECIFIC_CODES } from '../errors/index.ts';
import { isContentPart, type StreamPart } from '../wire/canonical/index.ts';
import type { ChaosRule } from './config/index.ts';

interface ChaosCall {
  readonly route: string;
  /** Decided once per call: the rule that hits it, if any. */
  rule: ChaosRule | undefined;
  injected: boolean;
}

export interface Chaos {
  /** Runs `fn` (which starts the engine call) with the route known to the transport. */
  run<T>(route: string, fn: () => T): T;
  wrap(transport: EngineTransport): EngineTransport;
  /** Faults injected so far, by rule index. */
  readonly counts: number[];
}

function injectedError(rule: ChaosRule, provider: string, model: string): OutlastError {
  const where = `${provider}/${model}`;
  const common = { provider, model, code: SPECIFIC_CODES.CHAOS_INJECTED };
  switch (rule.fault) {
    case 'rate_limited':
      return new OutlastError({
        ...common,
        kind: 'rate_limited',
        status: 429,
        retryable: true,
        retryAfterMs: rule.retryAfterMs ?? 1000,
        message: `chaos: injected 429 rate_limited on ${where}`,
      });
    case 'overloaded':
      return new OutlastError({
        ...common,
        kind: 'overloaded',
        status: 529,
        retryable: true,
        message: `chaos: injected 529 overloaded on ${where}`,
      });
    case 'server':
      return new OutlastError({
        ...common,
        kind: 'server',
        status: 500,
        retryable: true,
        message: `chaos: injected 500 on ${where}`,
      });
    default:
      return new OutlastError({
        ...common,
        kind: 'network',
        retryable: true,
        message: `chaos: injected connection reset on ${where}`,
      });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The real stream, held back before its first part or cut after some content parts. */
function faultyStream(
  inner: EngineUpstreamStream,
  rule: ChaosRule,
  signal: AbortSignal,
  provider: string,
  model: string,
): EngineUpstreamStream {
  return {
    get status() {
      return inner.status;
    },
    get requestId() {
      return inner.requestId;
    },
    get malformedEvents() {
      return inner.malformedEvents;
    },
    cancel: (reason) => inner.cancel(reason),
    async *[Symbol.asyncIterator](): AsyncIterator<StreamPart> {
      if (rule.fault === 'slow_first_token') await sleep(rule.delayMs ?? 30_000, signal);
      let content = 0;
      const limit = rule.afterParts ?? 3;
      for await (const part of inner) {
        if (rule.fault === 'stream_interrupted' && isContentPart(part) && content++ >= limit) {
          inner.cancel();
          throw new OutlastError({
            kind: 'stream_interrupted',
            provider,
            model,
            retryable: true,
            code: SPECIFIC_CODES.CHAOS_INJECTED,
            message: `chaos: injected stream cut on ${provider}/${model} after ${limit} content parts`,
          });
        }
        yield part;
      }
    },
  };
}

export function createChaos(rules: readonly ChaosRule[], random: () => number = Math.random): Chaos {
  const storage = new AsyncLocalStorage<ChaosCall>();
  const counts = rules.map(() => 0);
  return {
    counts,
    run(route, fn) {
      const candidates = rules.filter((r) => r.route === route);
      if (candidates.length === 0) return fn();
      const rule = candidates.find((r) => random() < r.rate);
      return storage.run({ route, rule, injected: false }, fn);
    },
    wrap(transport) {
      return {
        close: () => transport.close(),
        // Raw calls (embeddings, token counts) are not injected into.
        ...(transport.request ? { request: transport.request.bind(transport) } : {}),
        async stream(call) {
          const state = storage.getStore();
          const rule = state?.rule;
          const key = `${call.target.provider}/${call.target.model}`;
          const hits = state && rule && (rule.target === undefined ? !state.injected : rule.target === key);
          if (!state || !rule || !hits) return transport.stream(call);
          state.injected = true;
          counts[rules.indexOf(rule)] = (counts[rules.indexOf(rule)] ?? 0) + 1;
          if (rule.fault === 'slow_first_token' || rule.fault === 'stream_interrupted') {
            const inner = await transport.stream(call);
            return faultyStream(inner, rule, call.scope.signal, call.target.provider, call.target.model);
          }
          throw injectedError(rule, call.target.provider, call.target.model);
        },
      };
    },
  };
}
