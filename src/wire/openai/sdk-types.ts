/**
 * The Chat Completions objects the OpenAI server side of this codec writes, typed as the
 * official SDK types them (only the fields outlast produces; same-format answers may carry
 * more, passed through). The library hands these to its callers as they are.
 */

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
      tool_calls?: OpenAIToolCall[];
    };
    finish_reason: string | null;
    logprobs: null;
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
