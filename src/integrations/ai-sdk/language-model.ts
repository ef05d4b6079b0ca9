/**
 * One AI SDK language model over an outlast route (or `provider/model` pair, or bare model):
 * `doGenerate` and `doStream` run a call on the engine in this process. `doStream` settles
 * at the commit point, so every failure before the first content is the engine's to retry
 * or fail over, invisibly; after it, the stream carries the engine's stitched parts (a
 * continued answer shows no seam) and a final error as an error part.
 */
import type {
  LanguageModelV3,
  LanguageModelV4,
  LanguageModelV4Content,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
} from '@ai-sdk/provider';
import type { Engine, EngineCall, Trace } from '../../engine/index.ts';
import type { CanonicalRequest, CanonicalResponse, StreamPart } from '../../wire/canonical/index.ts';
import { type PreparedCall, prepareCall, type SpecCallOptions } from './call-options.ts';
import { finishReasonOf, type SpecVersion, traceMetadata, usageOf } from './map-result.ts';
import { createPartMapper } from './stream-parts.ts';
import { toApiCallError } from './to-api-call-error.ts';

export const PROVIDER_ID = 'outlast';

/** The caller's own abort surfaces as its signal's reason, as a fetch-based provider's would; the rest as APICallError. */
function failure(
  error: unknown,
  options: SpecCallOptions,
  engine: Engine,
  request: CanonicalRequest,
): unknown {
  const signal = options.abortSignal;
  if (signal?.aborted) return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
  return toApiCallError(error, engine.settings, request);
}

/**
 * The upstream's own model id (`claude-sonnet-4-5-20250929`) is the truest name for who answered,
 * unless the stream broke and was continued on another target: then that target's model finished it.
 */
function answeringModel(
  reported: string | undefined,
  committed: Committed,
  trace: Trace,
): string | undefined {
  const last = trace.answeredBy;
  if (last && (last.provider !== committed.provider || last.model !== committed.model)) return last.model;
  return reported;
}

type Committed = Awaited<EngineCall['committed']>;

function contentOf(response: CanonicalResponse): LanguageModelV4Content[] {
  const content: LanguageModelV4Content[] = [];
  for (const block of response.content) {
    switch (block.type) {
      case 'text':
        content.push({ type: 'text', text: block.text });
        break;
      case 'thinking':
        content.push({
          type: 'reasoning',
          text: block.thinking,
          ...(block.signature === undefined
            ? {}
            : { providerMetadata: { outlast: { signature: block.signature } } }),
        });
        break;
      case 'redacted_thinking':
        content.push({
          type: 'reasoning',
          text: '',
          providerMetadata: { outlast: { redactedData: block.data } },
        });
        break;
      case 'tool_use':
        content.push({
          type: 'tool-call',
          toolCallId: block.id,
          toolName: block.name,
          input: JSON.stringify(block.input),
        });
        break;
      default:
        // image and tool_result blocks are never part of an answer.
        break;
    }
  }
  return content;
}

function start(engine: Engine, prepared: PreparedCall, options: SpecCallOptions): EngineCall {
  try {
    return engine.execute(prepared.request, prepared.callOptions);
  } catch (error) {
    throw failure(error, options, engine, prepared.request);
  }
}

async function generate(
  engine: Engine,
  modelId: string,
  version: SpecVersion,
  options: SpecCallOptions,
): Promise<LanguageModelV4GenerateResult> {
  const prepared = prepareCall(options, modelId, false);
  const { request, warnings } = prepared;
  const call = start(engine, prepared, options);
  let response: CanonicalResponse;
  try {
    response = await call.response();
  } catch (error) {
    throw failure(error, options, engine, request);
  }
  const trace = await call.trace;
  const committed = await call.committed;
  const modelIdOut = answeringModel(response.model, committed, trace);
  return {
    content: contentOf(response),
    finishReason: finishReasonOf(response.stopReason, trace.outcome === 'salvaged', version),
    usage: usageOf(response.usage),
    providerMetadata: { outlast: traceMetadata(trace) },
    request: { body: request },
    response: { id: response.id, ...(modelIdOut === undefined ? {} : { modelId: modelIdOut }) },
    warnings,
  };
}

async function stream(
  engine: Engine,
  modelId: string,
  version: SpecVersion,
  options: SpecCallOptions,
): Promise<LanguageModelV4StreamResult> {
  const prepared = prepareCall(options, modelId, true);
  const { request, warnings } = prepared;
  const call = start(engine, prepared, options);
  let committed: Committed;
  try {
    committed = await call.committed;
  } catch (error) {
    throw failure(error, options, engine, request);
  }

  const parts = call[Symbol.asyncIterator]();
  const mapper = createPartMapper();
  const raw = options.includeRawChunks === true;
  let finished = false;
  /** The AI SDK cancelled the stream (its abort, a consumer gone): nothing more may be enqueued. */
  let cancelled = false;

  /** Ends the stream: open blocks closed, the error if the call failed, then the finish with the trace. */
  const finish = async (
    controller: ReadableStreamDefaultController<LanguageModelV4StreamPart>,
    failed: { error: unknown } | undefined,
  ) => {
    finished = true;
    for (const part of mapper.closeOpen()) controller.enqueue(part);
    if (failed && options.abortSignal?.aborted) {
      controller.error(failure(failed.error, options, engine, request));
      return;
    }
    if (failed) controller.enqueue({ type: 'error', error: failure(failed.error, options, engine, request) });
    const trace: Trace = await call.trace;
    if (cancelled) return;
    const { state } = mapper;
    const modelIdOut = answeringModel(state.model, committed, trace);
    if (modelIdOut !== state.model && modelIdOut !== undefined)
      controller.enqueue({ type: 'response-metadata', modelId: modelIdOut });
    controller.enqueue({
      type: 'finish',
      finishReason: failed
        ? { unified: 'error', raw: undefined }
        : finishReasonOf(state.stopReason, state.truncated, version),
      usage: usageOf(state.usage),
      providerMetadata: { outlast: traceMetadata(trace) },
    });
    controller.close();
  };

  const body = new ReadableStream<LanguageModelV4StreamPart>({
    start(controller) {
      controller.enqueue({ type: 'stream-start', warnings });
    },
    // One canonical part may map to none: read on until something is enqueued or the call ends.
    async pull(controller) {
      while (!finished && !cancelled) {
        let next: IteratorResult<StreamPart>;
        try {
          next = await parts.next();
        } catch (error) {
          if (!cancelled) await finish(controller, { error });
          return;
        }
        if (cancelled) return;
        if (next.done) {
          await finish(controller, undefined);
          return;
        }
        const part = next.value;
        if (raw) controller.enqueue({ type: 'raw', rawValue: part });
        const mapped = mapper.map(part);
        if (part.type === 'message_start')
          mapped.unshift({ type: 'response-metadata', id: part.id, modelId: part.model });
        for (const p of mapped) controller.enqueue(p);
        if (mapped.length > 0 || raw) return;
      }
    },
    async cancel(reason) {
      cancelled = true;
      call.cancel(reason);
      await parts.return?.();
    },
  });
  return { stream: body, request: { body: request } };
}

/** A model of the current spec (v4, AI SDK 7). */
export function createLanguageModelV4(engine: Engine, modelId: string): LanguageModelV4 {
  return {
    specificationVersion: 'v4',
    provider: PROVIDER_ID,
    modelId,
    // None: the AI SDK downloads every URL and hands over the bytes, which any target of a route
    // takes whatever its format (a URL Anthropic fetches, Gemini would refuse).
    supportedUrls: {},
    doGenerate: (options) => generate(engine, modelId, 'v4', options),
    doStream: (options) => stream(engine, modelId, 'v4', options),
  };
}

/**
 * A model of the previous spec (v3, AI SDK 6). v3 differs from v4 only where outlast does
 * not reach (file data's shape, content kinds outlast never produces, the `interrupted`
 * finish reason), so both run the same code and this one returns no v4-only part.
 */
export function createLanguageModelV3(engine: Engine, modelId: string): LanguageModelV3 {
  return {
    specificationVersion: 'v3',
    provider: PROVIDER_ID,
    modelId,
    supportedUrls: {},
    doGenerate: (options) =>
      generate(engine, modelId, 'v3', options) as unknown as ReturnType<LanguageModelV3['doGenerate']>,
    doStream: (options) =>
      stream(engine, modelId, 'v3', options) as unknown as ReturnType<LanguageModelV3['doStream']>,
  };
}
