/**
 * The AI SDK's call options → one canonical request, the engine's per-call options and the
 * warnings the spec asks a provider to return for settings it cannot honour. Settings the
 * canonical model has no field for are reported, never silently dropped.
 */
import type {
  LanguageModelV3CallOptions,
  LanguageModelV4CallOptions,
  SharedV4Warning,
} from '@ai-sdk/provider';
import { z } from 'zod';
import { type CallOptions, clientOptionsSchema, parseOptions } from '../../engine/index.ts';
import type {
  CanonicalRequest,
  JsonObject,
  ResponseFormat,
  ThinkingConfig,
  ToolChoice,
  ToolDefinition,
} from '../../wire/canonical/index.ts';
import { convertPrompt } from './convert-prompt.ts';

export type SpecCallOptions = LanguageModelV4CallOptions | LanguageModelV3CallOptions;

/** `providerOptions.outlast`: what a call may set beyond the spec's own settings. */
const outlastCallOptionsSchema = z.strictObject({
  /** This call's timeouts: a profile, ms for the whole call, or an object (as `createClient`'s `timeout`). */
  timeout: clientOptionsSchema.shape.timeout,
  /** Extended thinking, as the canonical model writes it. Wins over the spec's `reasoning` setting. */
  thinking: z
    .union([
      z.strictObject({ type: z.literal('enabled'), budgetTokens: z.number().int().positive() }),
      z.strictObject({ type: z.literal('disabled') }),
      z.strictObject({ type: z.literal('adaptive') }),
    ])
    .optional(),
  /** An end-user id (Anthropic `metadata.user_id`, OpenAI `user`). */
  user: z.string().optional(),
});
export type OutlastCallOptions = z.input<typeof outlastCallOptionsSchema>;

/**
 * Thinking budgets for the spec's `reasoning` levels (v4), the ones Anthropic's guide uses
 * from its 1,024-token minimum up. `none` turns thinking off; `provider-default` leaves it alone.
 */
const REASONING_BUDGETS: Readonly<Record<string, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16_384,
  xhigh: 32_768,
  max: 65_536,
};

export interface PreparedCall {
  request: CanonicalRequest;
  callOptions: CallOptions;
  warnings: SharedV4Warning[];
}

function toolChoiceOf(choice: SpecCallOptions['toolChoice']): ToolChoice | undefined {
  switch (choice?.type) {
    case undefined:
      return undefined;
    case 'auto':
      return { type: 'auto' };
    case 'none':
      return { type: 'none' };
    case 'required':
      return { type: 'any' };
    case 'tool':
      return { type: 'tool', name: choice.toolName };
  }
}

function responseFormatOf(format: SpecCallOptions['responseFormat']): ResponseFormat | undefined {
  if (!format || format.type === 'text') return undefined;
  if (!format.schema) return { type: 'json_object' };
  return {
    type: 'json_schema',
    // OpenAI requires a name of [a-zA-Z0-9_-]; the AI SDK's default output has none.
    name: (format.name ?? 'response').replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'response',
    // Not `strict`: OpenAI's strict mode refuses schemas with optional fields, which AI SDK users write.
    schema: format.schema as JsonObject,
  };
}

function thinkingOf(
  reasoning: string | undefined,
  own: ThinkingConfig | undefined,
  warnings: SharedV4Warning[],
): ThinkingConfig | undefined {
  if (own) return own;
  if (reasoning === undefined || reasoning === 'provider-default') return undefined;
  if (reasoning === 'none') return { type: 'disabled' };
  const budgetTokens = REASONING_BUDGETS[reasoning];
  if (budgetTokens === undefined) {
    warnings.push({ type: 'unsupported', feature: 'reasoning', details: `unknown level "${reasoning}"` });
    return undefined;
  }
  return { type: 'enabled', budgetTokens };
}

export function prepareCall(options: SpecCallOptions, modelId: string, stream: boolean): PreparedCall {
  const warnings: SharedV4Warning[] = [];
  const own = parseOptions(
    outlastCallOptionsSchema,
    options.providerOptions?.outlast ?? {},
    'providerOptions.outlast',
  );
  const { system, messages } = convertPrompt(options.prompt);

  for (const feature of ['presencePenalty', 'frequencyPenalty', 'seed'] as const) {
    if (options[feature] !== undefined)
      warnings.push({
        type: 'unsupported',
        feature,
        details: 'outlast translates between providers and has no common form for it; it is not sent',
      });
  }
  // The AI SDK adds its own user-agent to every call; only the caller's headers are worth a warning.
  const headers = Object.entries(options.headers ?? {}).filter(
    ([k, v]) => v !== undefined && k.toLowerCase() !== 'user-agent',
  );
  if (headers.length > 0)
    warnings.push({
      type: 'unsupported',
      feature: 'headers',
      details: `per-call headers (${headers.map(([k]) => k).join(', ')}) are not sent upstream; outlast sets each provider's own`,
    });

  const tools: ToolDefinition[] = [];
  for (const tool of options.tools ?? []) {
    if (tool.type !== 'function') {
      warnings.push({ type: 'unsupported', feature: `provider tool ${tool.name}`, details: 'not sent' });
      continue;
    }
    tools.push({
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      inputSchema: tool.inputSchema as JsonObject,
    });
  }

  const reasoning = 'reasoning' in options ? options.reasoning : undefined;
  const thinking = thinkingOf(reasoning, own.thinking, warnings);
  const toolChoice = tools.length > 0 ? toolChoiceOf(options.toolChoice) : undefined;
  const responseFormat = responseFormatOf(options.responseFormat);

  const request: CanonicalRequest = {
    model: modelId,
    messages,
    stream,
    ...(system.length > 0 ? { system } : {}),
    ...(options.maxOutputTokens === undefined ? {} : { maxTokens: options.maxOutputTokens }),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.topP === undefined ? {} : { topP: options.topP }),
    ...(options.topK === undefined ? {} : { topK: options.topK }),
    ...(options.stopSequences?.length ? { stopSequences: options.stopSequences } : {}),
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(thinking ? { thinking } : {}),
    ...(responseFormat ? { responseFormat } : {}),
    ...(own.user === undefined ? {} : { user: own.user }),
  };
  const callOptions: CallOptions = {
    ...(options.abortSignal ? { signal: options.abortSignal } : {}),
    ...(own.timeout === undefined ? {} : { timeout: own.timeout }),
  };
  return { request, callOptions, warnings };
}
