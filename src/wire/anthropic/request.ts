/**
 * Client side: canonical → an Anthropic Messages request. What Anthropic cannot carry is a
 * `bad_request` naming the field, never a silent drop; passthrough fields are spread back
 * only when they came from Anthropic.
 */
import type {
  CanonicalRequest,
  JsonObject,
  Message,
  ResponseFormat,
  ToolDefinition,
} from '../canonical/index.ts';
import type { UpstreamRequestSpec } from '../codec.ts';
import { hostedElsewhere } from '../shared/validate.ts';
import { type BlockContext, encodeBlock } from './blocks.ts';
import { readPassthrough } from './passthrough.ts';
import { badRequest } from './validate.ts';

/** Anthropic requires max_tokens; this is what a request that names none gets. */
export const DEFAULT_MAX_TOKENS = 4096;

export const ANTHROPIC_VERSION = '2023-06-01';

const ENCODE_CONTEXT: BlockContext = { kind: 'bad_request', fail: badRequest };

function encodeMessage(message: Message, i: number): JsonObject {
  const { fields, meta } = readPassthrough(message.passthrough);
  const path = `messages.${i}`;
  // Two kinds of block Anthropic rejects in a request and that carry nothing it could use:
  // thinking without a signature (another provider's reasoning, which it cannot verify) and
  // empty text (OpenAI's `content: ""` beside tool calls).
  const blocks = message.content.filter(
    (b) => !(b.type === 'thinking' && b.signature === undefined) && !(b.type === 'text' && b.text === ''),
  );
  const only = blocks[0];
  if (meta.content === 'string' && blocks.length === 1 && only?.type === 'text' && !only.passthrough) {
    return { role: message.role, content: only.text, ...fields };
  }
  const content = blocks.map((block, j) => encodeBlock(block, `${path}.content.${j}`, ENCODE_CONTEXT));
  return { role: message.role, content, ...fields };
}

function encodeTool(tool: ToolDefinition, i: number): JsonObject {
  if (tool.hosted?.format === 'anthropic') return tool.hosted.definition;
  if (tool.hosted) throw hostedElsewhere(tool, `tools.${i}`, 'Anthropic');
  const { fields } = readPassthrough(tool.passthrough);
  const out: JsonObject = { name: tool.name };
  if (tool.description !== undefined) out.description = tool.description;
  // Anthropic requires `type: "object"`; other formats may leave it implicit.
  out.input_schema =
    tool.inputSchema.type === undefined ? { type: 'object', ...tool.inputSchema } : tool.inputSchema;
  return { ...out, ...fields };
}

function encodeToolChoice(request: CanonicalRequest, meta: JsonObject): JsonObject | undefined {
  const choice = request.toolChoice;
  const extra = (meta.toolChoice ?? {}) as JsonObject;
  const parallel = request.parallelToolCalls;
  if (!choice) {
    // Anthropic says "one call per turn" only inside tool_choice.
    return parallel === false && request.tools?.length
      ? { type: 'auto', disable_parallel_tool_use: true }
      : undefined;
  }
  const out: JsonObject =
    choice.type === 'tool' ? { type: 'tool', name: choice.name } : { type: choice.type };
  if (parallel !== undefined && choice.type !== 'none') out.disable_parallel_tool_use = !parallel;
  return { ...out, ...extra };
}

function encodeResponseFormat(format: ResponseFormat, meta: JsonObject): JsonObject | undefined {
  const configExtra = (meta.outputConfig ?? {}) as JsonObject;
  if (format.type === 'text') return Object.keys(configExtra).length > 0 ? configExtra : undefined;
  if (format.type === 'json_object') {
    throw badRequest(
      'response_format',
      'json_object (JSON without a schema) has no Anthropic form; give a json_schema',
    );
  }
  // Anthropic structured outputs (`output_config.format`) are always strict and carry no name.
  const formatExtra = (meta.outputFormat ?? {}) as JsonObject;
  return { ...configExtra, format: { type: 'json_schema', schema: format.schema, ...formatExtra } };
}

function checkSampling(request: CanonicalRequest): void {
  const t = request.temperature;
  // OpenAI takes 0–2, Anthropic 0–1: a value above 1 has no Anthropic equivalent.
  if (t !== undefined && (t < 0 || t > 1))
    throw badRequest('temperature', `${t} is outside Anthropic's range 0–1`);
  if (request.stopSequences?.some((s) => s.trim() === '')) {
    throw badRequest('stop_sequences', 'Anthropic rejects a stop sequence made only of whitespace');
  }
}

/** Canonical → the body, path and headers of `POST /v1/messages`. */
export function encodeAnthropicRequest(
  request: CanonicalRequest,
  options: { model: string; stream: boolean },
): UpstreamRequestSpec {
  const { fields, meta } = readPassthrough(request.passthrough);
  checkSampling(request);
  const body: JsonObject = { model: options.model, max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS };
  if (request.system && request.system.length > 0) {
    const only = request.system[0];
    body.system =
      meta.system === 'string' && request.system.length === 1 && only && !only.passthrough
        ? only.text
        : request.system.map((block, i) => encodeBlock(block, `system.${i}`, ENCODE_CONTEXT));
  }
  body.messages = request.messages.map(encodeMessage);
  if (request.tools !== undefined) body.tools = request.tools.map(encodeTool);
  const toolChoice = encodeToolChoice(request, meta);
  if (toolChoice) body.tool_choice = toolChoice;
  if (request.stopSequences !== undefined) body.stop_sequences = request.stopSequences;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) body.top_k = request.topK;
  if (options.stream) body.stream = true;
  else if (request.stream === false) body.stream = false;
  if (request.thinking) {
    const extra = (meta.thinking ?? {}) as JsonObject;
    const t = request.thinking;
    body.thinking =
      t.type === 'enabled'
        ? { type: 'enabled', budget_tokens: t.budgetTokens, ...extra }
        : { type: t.type, ...extra };
  }
  if (request.user !== undefined || meta.metadata !== undefined) {
    const metadata: JsonObject = { ...((meta.metadata ?? {}) as JsonObject) };
    if (request.user !== undefined) metadata.user_id = request.user;
    body.metadata = metadata;
  }
  const outputConfig = request.responseFormat
    ? encodeResponseFormat(request.responseFormat, meta)
    : (meta.outputConfig as JsonObject | undefined);
  if (outputConfig) body.output_config = outputConfig;
  return {
    path: '/v1/messages',
    body: { ...body, ...fields },
    // The client's own anthropic-version and anthropic-beta win: betas change what the API accepts.
    headers: {
      'anthropic-version': ANTHROPIC_VERSION,
      'content-type': 'application/json',
      ...(request.clientHeaders?.format === 'anthropic' ? request.clientHeaders.headers : {}),
    },
  };
}
