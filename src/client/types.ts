/**
 * The shapes the client hands back: Anthropic Messages and OpenAI Chat Completions objects as
 * the official SDKs type them (only what outlast produces). JSON-shaped, no classes. They are
 * the types of what the wire codecs' server side writes, defined beside those codecs.
 */

export type {
  AnthropicContentBlock,
  AnthropicContentDelta,
  AnthropicMessage,
  AnthropicStreamEvent,
  AnthropicUsage,
} from '../wire/anthropic/sdk-types.ts';
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionChunkDelta,
  OpenAILogprobs,
  OpenAIToolCall,
  OpenAIUsage,
} from '../wire/openai/sdk-types.ts';

/** A Responses API output item as outlast produces it: a message, a function call or reasoning. */
export type ResponsesOutputItem =
  | {
      id: string;
      type: 'message';
      status: string;
      role: 'assistant';
      content: Array<{ type: 'output_text'; text: string; annotations: unknown[]; logprobs: unknown[] }>;
    }
  | { id: string; type: 'function_call'; status: string; call_id: string; name: string; arguments: string }
  | {
      id: string;
      type: 'reasoning';
      status: string;
      summary: Array<{ type: 'summary_text'; text: string }>;
      encrypted_content?: string;
    };

/** The Responses API's `Response` object as the wire has it (the fields outlast fills). */
export interface ResponsesResponseBody {
  id: string;
  object: 'response';
  created_at: number;
  status: 'completed' | 'incomplete' | 'failed' | 'in_progress';
  model: string;
  output: ResponsesOutputItem[];
  incomplete_details: { reason: string } | null;
  error: { code: string; message: string } | null;
  usage: {
    input_tokens: number;
    input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
    output_tokens: number;
    output_tokens_details: { reasoning_tokens: number };
    total_tokens: number;
  } | null;
  [field: string]: unknown;
}

/** The Responses API's `Response` object with the SDKs' `output_text` convenience. */
export interface ResponsesResponse extends ResponsesResponseBody {
  /** The text of every output message joined, as the official SDKs add it. */
  output_text: string;
}

/** One Responses API stream event (`response.created`, `response.output_text.delta`, …). */
export interface ResponsesStreamEvent {
  type: string;
  sequence_number: number;
  [field: string]: unknown;
}
