/**
 * The canonical model every codec translates to and from. It is close to Anthropic's
 * content blocks (the richest of the three formats) with camelCase names. Types only.
 */
import type { OutlastError } from '../../errors/index.ts';

export type WireFormat = 'anthropic' | 'openai' | 'gemini';

/** JSON values as they cross the wire. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Fields a codec did not understand, kept so that a request translated back into the
 * format it came from loses nothing. Only a codec of `format` may spread them back.
 */
export interface Passthrough {
  readonly format: WireFormat;
  readonly fields: JsonObject;
}

export interface TextBlock {
  type: 'text';
  text: string;
  passthrough?: Passthrough;
}

export type ImageSource = { type: 'base64'; mediaType: string; data: string } | { type: 'url'; url: string };

export interface ImageBlock {
  type: 'image';
  source: ImageSource;
  passthrough?: Passthrough;
}

export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  /** The parsed arguments object. */
  input: JsonObject;
  passthrough?: Passthrough;
}

export interface ToolResultBlock {
  type: 'tool_result';
  toolUseId: string;
  /** Gemini answers a call by function name, not id: filled when known. */
  name?: string;
  content: Array<TextBlock | ImageBlock>;
  isError?: boolean;
  passthrough?: Passthrough;
}

export interface ThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature?: string;
  passthrough?: Passthrough;
}

export interface RedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
  passthrough?: Passthrough;
}

/**
 * A block outlast has no canonical form for (an Anthropic `document`, `search_result`, a server
 * tool's call or result), kept verbatim: only a codec of `format` sends it on; any other refuses
 * it as untranslatable, so the call moves to a target that speaks the format.
 */
export interface RawBlock {
  type: 'raw';
  format: WireFormat;
  block: JsonObject;
  passthrough?: Passthrough;
}

export type ContentBlock =
  | RawBlock
  | TextBlock
  | ImageBlock
  | ToolUseBlock
  | ToolResultBlock
  | ThinkingBlock
  | RedactedThinkingBlock;

export interface Message {
  role: 'user' | 'assistant';
  content: ContentBlock[];
  passthrough?: Passthrough;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the input object. */
  inputSchema: JsonObject;
  passthrough?: Passthrough;
  /**
   * A tool the provider runs itself (Anthropic's `web_search`, code execution…), kept verbatim:
   * only a codec of `format` sends it; any other refuses it as untranslatable.
   */
  hosted?: { readonly format: WireFormat; readonly definition: JsonObject };
}

export type ToolChoice =
  | { type: 'auto' }
  | { type: 'any' }
  | { type: 'none' }
  | { type: 'tool'; name: string };

export type ThinkingConfig =
  | { type: 'enabled'; budgetTokens: number }
  | { type: 'disabled' }
  | { type: 'adaptive' };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: JsonObject; strict?: boolean };

export interface CanonicalRequest {
  /** As the caller wrote it: a route, a `provider/model` pair or a bare model. The engine rewrites it per target. */
  model: string;
  system?: TextBlock[];
  messages: Message[];
  /** Anthropic requires it; when absent a codec that needs it uses the model's default. */
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  stream?: boolean;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** `false` forbids several tool calls in one turn. */
  parallelToolCalls?: boolean;
  thinking?: ThinkingConfig;
  responseFormat?: ResponseFormat;
  /** An end-user id (Anthropic `metadata.user_id`, OpenAI `user`). */
  user?: string;
  /** OpenAI `stream_options.include_usage`; the engine always asks OpenAI upstreams for usage. */
  includeUsage?: boolean;
  passthrough?: Passthrough;
  /**
   * Headers from the client that a target of its own format should get as they came
   * (`anthropic-beta`, `anthropic-version`, `openai-beta`): only a codec of `format` sends them.
   */
  clientHeaders?: { readonly format: WireFormat; readonly headers: Readonly<Record<string, string>> };
  /**
   * The request as a client of a dialect outlast can relay verbatim sent it (the Responses API):
   * a target that speaks that dialect itself gets this body, not a translation, and its answer
   * comes back as `verbatim` parts. `needs` lists what only such a target can serve (stored
   * state, hosted tools…); with any, every other target is skipped as untranslatable.
   */
  origin?: RequestOrigin;
}

/**
 * A dialect whose requests and events outlast can relay unchanged to a target that speaks it:
 * the Responses API, and Chat Completions for what the canonical model cannot carry (`n > 1`,
 * audio output).
 */
export type VerbatimDialect = 'openai-responses' | 'openai-chat';

export interface RequestOrigin {
  readonly dialect: VerbatimDialect;
  /** The body as the client sent it. */
  readonly body: JsonObject;
  /** What only a target of the dialect can serve: where in the body, and what it is. */
  readonly needs: ReadonlyArray<{ readonly path: string; readonly what: string }>;
}

export type StopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'refusal'
  | 'pause_turn'
  | 'context_window_exceeded';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

export interface CanonicalResponse {
  id: string;
  /** The model that actually answered. */
  model: string;
  content: ContentBlock[];
  stopReason: StopReason;
  stopSequence?: string | null;
  usage: Usage;
  passthrough?: Passthrough;
  /** The answer as a target of the caller's own dialect gave it (a Responses API `Response`), to send unchanged. */
  verbatim?: { readonly dialect: VerbatimDialect; readonly body: JsonObject };
}

/** The start of a block in a stream: its kind and what is known before the deltas. */
export type BlockStart =
  | { type: 'text' }
  | { type: 'tool_use'; id: string; name: string }
  | { type: 'thinking' }
  | { type: 'redacted_thinking'; data: string };

export type BlockDelta =
  | { type: 'text'; text: string }
  | { type: 'tool_input'; partialJson: string }
  | { type: 'thinking'; thinking: string }
  | { type: 'signature'; signature: string };

/** One event of a canonical stream. Indexes run 0..n in order of `block_start`. */
export type StreamPart =
  | { type: 'message_start'; id: string; model: string; usage?: Partial<Usage> }
  | { type: 'block_start'; index: number; block: BlockStart }
  | { type: 'block_delta'; index: number; delta: BlockDelta }
  | { type: 'block_stop'; index: number }
  /** Usage is cumulative, as in Anthropic's `message_delta`. */
  | { type: 'message_delta'; stopReason?: StopReason; stopSequence?: string | null; usage?: Partial<Usage> }
  /** `truncated`: the caller chose `salvage` and the answer ends early. Never set on a complete answer. */
  | { type: 'message_stop'; truncated?: boolean }
  | { type: 'error'; error: OutlastError }
  /**
   * One upstream event, as it came, for a caller of the same dialect (its encoder sends it
   * unchanged and ignores the canonical parts decoded from it, which follow it for the
   * engine's own use); every other encoder ignores it. `live`: the upstream is at work (a
   * hosted tool's progress) though no content came, which the first-token and idle clocks count.
   */
  | { type: 'verbatim'; dialect: VerbatimDialect; event: string; data: string; live?: boolean }
  | PassthroughPart;

/**
 * An upstream event outlast does not model (an Anthropic `citations_delta`, an event type newer
 * than the codec), kept as it came: a client speaking `format` gets it unchanged (its block
 * index translated to the client's when it names one), every other format drops it. Never
 * content: it does not commit an answer, feed a timer, or count as text for a continuation.
 */
export interface PassthroughPart {
  type: 'passthrough';
  format: WireFormat;
  /** The SSE `event:` name, when it had one. */
  event?: string;
  /** The SSE data, as it came. */
  data: string;
  /** The canonical block the event belongs to, when it names one (its `index`). */
  index?: number;
}
