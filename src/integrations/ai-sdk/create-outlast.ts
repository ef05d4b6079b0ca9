/**
 * `createOutlast(options)`: an AI SDK provider whose models run outlast's engine in this
 * process. It takes exactly `createClient()`'s options (and its test seams); each model is a
 * route, a `provider/model` pair or a bare model, as everywhere in outlast.
 */
import type { LanguageModelV3, LanguageModelV4, ProviderV4 } from '@ai-sdk/provider';
import { NoSuchModelError } from '@ai-sdk/provider';
import type { ClientDeps, ClientOptions } from '../../client/index.ts';
import { createEngine, type Engine, type EngineEvent, type TargetStatus } from '../../engine/index.ts';
import { attachLogger } from '../../observe/logging.ts';
import { createLanguageModelV3, createLanguageModelV4 } from './language-model.ts';

export interface OutlastProvider extends ProviderV4 {
  /** A model of the AI SDK's current spec (v4, AI SDK 7). */
  (modelId: string): LanguageModelV4;
  languageModel(modelId: string): LanguageModelV4;
  /** The same model under the previous spec (v3), for AI SDK 6, which refuses v4 models. */
  languageModelV3(modelId: string): LanguageModelV3;
  /** Subscribe to engine events; returns an unsubscribe function. */
  on(listener: (event: EngineEvent) => void): () => void;
  /** Per target health: breakers, cooldowns, latency, recent failures. */
  status(): TargetStatus[];
  readonly engine: Engine;
  /** Cancels calls in flight and closes connections. */
  close(): Promise<void>;
}

export type OutlastProviderOptions = ClientOptions;
export type OutlastProviderDeps = Pick<ClientDeps, Exclude<keyof ClientDeps, 'serverCodecs'>>;

function noSuchModel(modelId: string, modelType: 'embeddingModel' | 'imageModel'): never {
  throw new NoSuchModelError({
    modelId,
    modelType,
    message: `outlast/ai-sdk serves language models only; no ${modelType} "${modelId}"`,
  });
}

/** Options are validated here: a bad one throws an OutlastError naming it, as `createClient()` does. */
export function createOutlast(
  options: OutlastProviderOptions,
  deps: OutlastProviderDeps = {},
): OutlastProvider {
  const engine = deps.engine ?? createEngine(options, deps);
  if (!deps.engine && engine.settings.logger) {
    const secrets = Object.values(engine.settings.providers).flatMap((p) => (p.apiKey ? [p.apiKey] : []));
    attachLogger(engine, engine.settings.logger, { secrets });
  }
  const checked = (modelId: unknown): string => {
    if (typeof modelId !== 'string' || modelId.trim() === '')
      throw new NoSuchModelError({
        modelId: String(modelId),
        modelType: 'languageModel',
        message: `outlast/ai-sdk: a model id is a route, a "provider/model" pair or a bare model; got ${JSON.stringify(modelId)}`,
      });
    return modelId;
  };
  const languageModel = (modelId: string) => createLanguageModelV4(engine, checked(modelId));
  const provider = Object.assign((modelId: string) => languageModel(modelId), {
    specificationVersion: 'v4' as const,
    languageModel,
    languageModelV3: (modelId: string) => createLanguageModelV3(engine, checked(modelId)),
    embeddingModel: (modelId: string) => noSuchModel(modelId, 'embeddingModel'),
    imageModel: (modelId: string) => noSuchModel(modelId, 'imageModel'),
    on: (listener: (event: EngineEvent) => void) => engine.on(listener),
    status: () => engine.status(),
    engine,
    close: () => engine.close(),
  });
  return provider;
}
