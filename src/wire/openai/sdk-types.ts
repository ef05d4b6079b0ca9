/**
 * The Chat Completions objects the OpenAI server side of this codec writes, typed as the
 * official SDK types them (only the fields outlast produces; same-format answers may carry
 * more, passed through). The library hands these to its callers as they are.
 */
import { z } from 'zod';
import { parseWith } from '../shared/validate.ts';

export type OpenAIToolCall = {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
};

export type OpenAIUsage = {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
};

/** A choice's token log probabilities, when asked for (`logprobs: true`), as the upstream sent them. */
export type OpenAILogprobs = { content?: unknown[] | null; refusal?: unknown[] | null };

export type ChatCompletion = {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      refusal?: string | null;
      /** Not in OpenAI's own API: the field DeepSeek-style servers use for reasoning, which SDKs pass through. */
      reasoning_content?: string;
      /** null where an OpenAI-compatible upstream sent null for none. */
      tool_calls?: OpenAIToolCall[] | null;
    };
    finish_reason: string | null;
    logprobs: OpenAILogprobs | null;
  }>;
  usage?: OpenAIUsage;
};

export type ChatCompletionChunkDelta = {
  role?: 'assistant';
  content?: string | null;
  refusal?: string | null;
  /** Reasoning tokens, as DeepSeek-style servers stream them. */
  reasoning_content?: string;
  tool_calls?: Array<{
    index: number;
    id?: string;
    type?: 'function';
    function: { name?: string; arguments: string };
  }>;
};

export type ChatCompletionChunk = {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: ChatCompletionChunkDelta;
    finish_reason: string | null;
    logprobs: null;
  }>;
  usage?: OpenAIUsage | null;
};

const toolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const count = z.number().optional();

/** What the codec writes, checked to be the ChatCompletion the type promises (tsc checks the schema against the type). */
const completionSchema: z.ZodType<ChatCompletion> = z.looseObject({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number(),
  model: z.string(),
  choices: z.array(
    z.looseObject({
      index: z.number(),
      message: z.looseObject({
        role: z.literal('assistant'),
        // The type promises it, as OpenAI always sends it; an upstream that left it out gets null.
        content: z.string().nullable().default(null),
        refusal: z.string().nullable().optional(),
        reasoning_content: z.string().optional(),
        tool_calls: z.array(toolCall).nullish(),
      }),
      finish_reason: z.string().nullable(),
      logprobs: z
        .looseObject({ content: z.array(z.unknown()).nullish(), refusal: z.array(z.unknown()).nullish() })
        .nullable(),
    }),
  ),
  usage: z
    .looseObject({
      prompt_tokens: z.number(),
      completion_tokens: z.number(),
      total_tokens: z.number(),
      prompt_tokens_details: z.looseObject({ cached_tokens: count }).optional(),
      completion_tokens_details: z.looseObject({ reasoning_tokens: count }).optional(),
    })
    .optional(),
});

/**
 * A ChatCompletion body the OpenAI codec wrote, as the SDK-shaped type, validated rather than
 * cast: a same-format answer carries the upstream's fields, and one that is not a
 * ChatCompletion fails here (invalid_response, naming the field) instead of reaching the
 * caller mistyped.
 */
export function toChatCompletion(body: unknown): ChatCompletion {
  return parseWith(completionSchema, body, {
    kind: 'invalid_response',
    what: 'openai chat completion answer',
  });
}
