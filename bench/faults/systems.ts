/**
 * The systems the faults suite compares, each built fresh per scenario against its own mock
 * (so each mock's log counts only that system's attempts, and no breaker state leaks between
 * scenarios). Every one answers `ask(prompt, signal)` with the streamed text it collected.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { type ClientOptions, createClient } from '../../src/index.ts';
import { type Answer, streamMessage } from '../baselines/anthropic-stream.ts';
import { createCockatielCaller } from '../baselines/cockatiel.ts';
import { createGuideLoop } from '../baselines/guide-loop.ts';
import type { Service } from '../lib/child.ts';
import { portkeyFallbackHeaders } from '../services/portkey.ts';
import { startGatewayChild } from '../services/services.ts';
import { BUDGET } from './budget.ts';
import { FALLBACK, PRIMARY } from './scenarios.ts';

export interface SystemContext {
  mockUrl: string;
  /** The shared Portkey child, or the error it gave at start. */
  portkey: Service | { error: string };
  /** The shared Portkey child started with the #1550 workaround (`portkey-1550-shim.ts`). */
  portkeyShim: Service | { error: string };
  /**
   * A healthy mock for one call through each gateway process before the scenario starts, so no
   * gateway meets the scenario with code it has never run (the outlast gateway is a fresh process
   * per scenario, Portkey's serve every scenario). That call never reaches the scenario's mock.
   */
  warmupMockUrl?: string;
}

/** The shared children a scenario's systems use. */
export type SharedChildren = Omit<SystemContext, 'mockUrl'>;

export interface FaultSystem {
  ask(prompt: string, signal: AbortSignal): Promise<Answer>;
  close(): Promise<void>;
}

export interface SystemSpec {
  key: string;
  label: string;
  /** How the shared budget maps onto this system's knobs. */
  config: string;
  start(ctx: SystemContext): Promise<FaultSystem>;
}

const noClose = async () => {};

function anthropicSdk(baseURL: string, maxRetries: number): Anthropic {
  return new Anthropic({ baseURL, apiKey: 'bench-key', maxRetries, timeout: BUDGET.attemptTimeoutMs });
}

async function streamChat(
  client: OpenAI,
  prompt: string,
  signal: AbortSignal,
  stream: boolean,
): Promise<Answer> {
  if (!stream) {
    const r = await client.chat.completions.create(
      { model: PRIMARY, max_tokens: BUDGET.maxTokens, messages: [{ role: 'user', content: prompt }] },
      { signal },
    );
    return {
      text: r.choices[0]?.message.content ?? '',
      model: r.model,
      stopReason: r.choices[0]?.finish_reason ?? null,
    };
  }
  const s = await client.chat.completions.create(
    {
      model: PRIMARY,
      max_tokens: BUDGET.maxTokens,
      messages: [{ role: 'user', content: prompt }],
      stream: true,
    },
    { signal },
  );
  let text = '';
  let model = PRIMARY;
  let stopReason: string | null = null;
  for await (const chunk of s) {
    model = chunk.model || model;
    text += chunk.choices[0]?.delta.content ?? '';
    stopReason = chunk.choices[0]?.finish_reason ?? stopReason;
  }
  return { text, model, stopReason };
}

function portkeySystem(
  stream: boolean,
  which: 'portkey' | 'portkeyShim' = 'portkey',
): (ctx: SystemContext) => Promise<FaultSystem> {
  return async (ctx) => {
    const portkey = ctx[which];
    if ('error' in portkey) throw new Error(portkey.error);
    const clientFor = (mockUrl: string) =>
      new OpenAI({
        baseURL: `${portkey.url}/v1`,
        apiKey: 'bench-key',
        maxRetries: 0,
        timeout: BUDGET.callDeadlineMs,
        defaultHeaders: portkeyFallbackHeaders({
          upstreamV1: `${mockUrl}/v1`,
          models: [PRIMARY, FALLBACK],
          retries: BUDGET.retries,
          requestTimeoutMs: BUDGET.attemptTimeoutMs,
        }),
      });
    if (ctx.warmupMockUrl) {
      // As published Portkey fails every streamed call here (#1550): warm it with a plain one.
      const warmStream = stream && which === 'portkeyShim';
      await streamChat(
        clientFor(ctx.warmupMockUrl),
        'warm-up',
        AbortSignal.timeout(10_000),
        warmStream,
      ).catch(() => undefined);
    }
    const client = clientFor(ctx.mockUrl);
    return { ask: (prompt, signal) => streamChat(client, prompt, signal, stream), close: noClose };
  };
}

/**
 * Both models on one provider, as the guide's chain has them (one endpoint, two models).
 * BENCH_OUTLAST_SPLIT_PROVIDERS=1 declares the fallback as a second provider at the same URL
 * instead, to show what the provider-wide breaker and cooldowns cost in these scenarios.
 */
/** `warmupMockUrl`: adds route `warmup` to a model of that mock (a provider of its own, `warm`). */
export function outlastOptions(mockUrl: string, warmupMockUrl?: string): Record<string, unknown> {
  const t = BUDGET.attemptTimeoutMs;
  const split = process.env.BENCH_OUTLAST_SPLIT_PROVIDERS === '1';
  const provider = { type: 'anthropic', baseURL: mockUrl, apiKey: 'bench-upstream-key' };
  const warm = warmupMockUrl ? { ...provider, baseURL: warmupMockUrl } : undefined;
  return {
    providers: { mock: provider, ...(split ? { mock2: provider } : {}), ...(warm ? { warm } : {}) },
    routes: {
      bench: [`mock/${PRIMARY}`, `${split ? 'mock2' : 'mock'}/${FALLBACK}`],
      ...(warm ? { warmup: [`warm/${PRIMARY}`] } : {}),
    },
    retry: { attempts: BUDGET.retries + 1 },
    timeout: { connect: t, headers: t, firstToken: t, idle: t, total: t, deadline: BUDGET.callDeadlineMs },
  };
}

async function startOutlastLibrary(ctx: SystemContext): Promise<FaultSystem> {
  const client = createClient(outlastOptions(ctx.mockUrl) as ClientOptions);
  return {
    ask: async (prompt, signal) => {
      const events = await client.messages.create(
        {
          model: 'bench',
          max_tokens: BUDGET.maxTokens,
          messages: [{ role: 'user', content: prompt }],
          stream: true,
        },
        { signal },
      );
      let text = '';
      let model = 'bench';
      let stopReason: string | null = null;
      for await (const event of events) {
        if (event.type === 'message_start') model = event.message.model;
        else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
          text += event.delta.text;
        else if (event.type === 'message_delta') stopReason = event.delta.stop_reason;
      }
      return { text, model, stopReason };
    },
    close: () => client.close(),
  };
}

async function startOutlastGateway(ctx: SystemContext): Promise<FaultSystem> {
  const gateway = await startGatewayChild({
    ...outlastOptions(ctx.mockUrl, ctx.warmupMockUrl),
    logging: { level: 'error' },
  });
  const client = new Anthropic({
    baseURL: gateway.url,
    apiKey: 'bench-key',
    maxRetries: 0,
    timeout: BUDGET.callDeadlineMs,
  });
  if (ctx.warmupMockUrl) {
    await streamMessage(
      client,
      { model: 'warmup', prompt: 'warm-up', maxTokens: BUDGET.maxTokens },
      AbortSignal.timeout(10_000),
    ).catch(() => undefined);
  }
  return {
    ask: (prompt, signal) =>
      streamMessage(client, { model: 'bench', prompt, maxTokens: BUDGET.maxTokens }, signal),
    close: () => gateway.close(),
  };
}

export const SYSTEMS: SystemSpec[] = [
  {
    key: 'sdk-none',
    label: '(a) SDK, no retries',
    config:
      '@anthropic-ai/sdk, maxRetries 0, timeout 5 s (the SDK times connect + headers only), primary only',
    start: async (ctx) => {
      const client = anthropicSdk(ctx.mockUrl, 0);
      return {
        ask: (prompt, signal) =>
          streamMessage(client, { model: PRIMARY, prompt, maxTokens: BUDGET.maxTokens }, signal),
        close: noClose,
      };
    },
  },
  {
    key: 'guide-loop',
    label: '(b) guide loop',
    config:
      "the guide's loop: 2 attempts per model, 429 → 2^n s + U(0,1) s, 500/502/503/529 → 3 s, else raise; then the fallback; SDK timeout 5 s",
    start: async (ctx) => {
      const ask = createGuideLoop({
        baseURL: ctx.mockUrl,
        models: [PRIMARY, FALLBACK],
        maxTokens: BUDGET.maxTokens,
        timeoutMs: BUDGET.attemptTimeoutMs,
      });
      return { ask: (prompt, signal) => ask(prompt, signal), close: noClose };
    },
  },
  {
    key: 'sdk-retries',
    label: '(c) SDK built-in retries',
    config: '@anthropic-ai/sdk, maxRetries 2, timeout 5 s, primary only (the SDK has no fallback)',
    start: async (ctx) => {
      const client = anthropicSdk(ctx.mockUrl, BUDGET.retries);
      return {
        ask: (prompt, signal) =>
          streamMessage(client, { model: PRIMARY, prompt, maxTokens: BUDGET.maxTokens }, signal),
        close: noClose,
      };
    },
  },
  {
    key: 'cockatiel',
    label: '(d) cockatiel',
    config:
      'per model wrap(retry(maxAttempts 2, ExponentialBackoff), breaker(5 consecutive, 10 s), timeout(5 s, aggressive)); fallback() to the second model',
    start: async (ctx) => {
      const ask = createCockatielCaller({
        baseURL: ctx.mockUrl,
        models: [PRIMARY, FALLBACK],
        maxTokens: BUDGET.maxTokens,
        timeoutMs: BUDGET.attemptTimeoutMs,
        retries: BUDGET.retries,
      });
      return { ask: (prompt, signal) => ask(prompt, signal), close: noClose };
    },
  },
  {
    key: 'portkey',
    label: '(e) Portkey gateway',
    config:
      'config: strategy fallback over two openai-provider targets at the mock (custom_host), retry.attempts 2, request_timeout 5 s; openai SDK maxRetries 0, streaming',
    start: portkeySystem(true),
  },
  {
    key: 'portkey-nonstream',
    label: '(e′) Portkey, non-streaming',
    config: 'as (e) but non-streaming calls (an extra row: Portkey fails streaming calls here)',
    start: portkeySystem(false),
  },
  {
    key: 'portkey-1550',
    label: '(e″) Portkey, #1550 workaround',
    config:
      'as (e), streaming, with Portkey started under a preload that re-wraps its fetch responses so their headers are mutable (bench/services/portkey-1550-shim.ts): the workaround for its issue #1550',
    start: portkeySystem(true, 'portkeyShim'),
  },
  {
    key: 'outlast-lib',
    label: '(f) outlast library',
    config:
      'createClient: route [primary, fallback], retry.attempts 3, timeouts connect/headers/firstToken/idle/total 5 s, deadline 30 s, defaults otherwise',
    start: startOutlastLibrary,
  },
  {
    key: 'outlast-gw',
    label: '(g) outlast gateway',
    config:
      'the same options as (f) in the gateway (child process); @anthropic-ai/sdk maxRetries 0 pointed at it',
    start: startOutlastGateway,
  },
];
