/** Canonical request → Gemini generateContent request (the client side). */

import type { CanonicalRequest, JsonObject, ToolChoice } from '../canonical/index.ts';
import type { UpstreamRequestSpec } from '../codec.ts';
import { hostedElsewhere } from '../shared/validate.ts';
import { encodeParts } from './encode-parts.ts';
import { badRequest } from './errors.ts';
import { mergeKept, ownFields } from './passthrough.ts';
import { toGeminiSchema } from './schema-sanitize.ts';
import type { GeminiContent } from './schemas.ts';

function functionCallingConfig(choice: ToolChoice): JsonObject {
  switch (choice.type) {
    case 'auto':
      return { mode: 'AUTO' };
    case 'any':
      return { mode: 'ANY' };
    case 'none':
      return { mode: 'NONE' };
    case 'tool':
      return { mode: 'ANY', allowedFunctionNames: [choice.name] };
  }
}

function thinkingConfig(request: CanonicalRequest, own: boolean): JsonObject | undefined {
  const thinking = request.thinking;
  if (!thinking) return undefined;
  // From Gemini itself `includeThoughts` comes back from passthrough exactly as it was sent.
  const show: JsonObject = own ? {} : { includeThoughts: true };
  switch (thinking.type) {
    case 'disabled':
      return { thinkingBudget: 0 };
    case 'adaptive':
      return { thinkingBudget: -1, ...show };
    case 'enabled':
      return { thinkingBudget: thinking.budgetTokens, ...show };
  }
}

function generationConfig(request: CanonicalRequest, own: JsonObject | undefined): JsonObject {
  const config: JsonObject = {};
  if (request.stopSequences !== undefined) config['stopSequences'] = request.stopSequences;
  if (request.maxTokens !== undefined) config['maxOutputTokens'] = request.maxTokens;
  if (request.temperature !== undefined) config['temperature'] = request.temperature;
  if (request.topP !== undefined) config['topP'] = request.topP;
  if (request.topK !== undefined) config['topK'] = request.topK;
  const format = request.responseFormat;
  if (format?.type === 'text') config['responseMimeType'] = 'text/plain';
  if (format?.type === 'json_object') config['responseMimeType'] = 'application/json';
  if (format?.type === 'json_schema') {
    config['responseMimeType'] = 'application/json';
    const keptConfig = own?.['generationConfig'];
    const kept =
      typeof keptConfig === 'object' && keptConfig !== null && !Array.isArray(keptConfig) ? keptConfig : {};
    // A schema Gemini sent in its own spelling, or as `responseJsonSchema`, comes back from passthrough.
    if (kept['responseSchema'] === undefined && kept['responseJsonSchema'] === undefined) {
      const schema = own ? format.schema : toGeminiSchema(format.schema);
      if (schema) config['responseSchema'] = schema;
    }
  }
  const thinking = thinkingConfig(request, own !== undefined);
  if (thinking) config['thinkingConfig'] = thinking;
  return config;
}

/** Names of every tool_use by id, so a tool_result without a name can be answered by name. */
function callNames(request: CanonicalRequest): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of request.messages)
    for (const block of message.content) if (block.type === 'tool_use') names.set(block.id, block.name);
  return names;
}

export function encodeRequest(
  request: CanonicalRequest,
  options: { model: string; stream: boolean },
): UpstreamRequestSpec {
  const own = ownFields(request.passthrough);
  const names = callNames(request);
  const contents: GeminiContent[] = [];
  request.messages.forEach((message, i) => {
    const parts = encodeParts(message.content, {
      path: `messages.${i}.content`,
      nameOfCall: (id) => names.get(id),
      trustSignatures: false,
    });
    // Gemini refuses a turn without parts (e.g. one that held only another provider's redacted thinking).
    if (parts.length === 0) return;
    const role = message.role === 'assistant' ? 'model' : 'user';
    contents.push(mergeKept({ role, parts }, ownFields(message.passthrough)));
  });

  const body: Record<string, unknown> = { contents };
  if (request.system?.length) {
    body['systemInstruction'] = {
      parts: request.system.map((block) => mergeKept({ text: block.text }, ownFields(block.passthrough))),
    };
  }
  if (request.tools?.length) {
    const functionDeclarations = request.tools.map((tool, i) => {
      if (tool.hosted) throw hostedElsewhere(tool, `tools.${i}`, 'Gemini');
      const kept = ownFields(tool.passthrough);
      // Gemini's own schema (respelt, or sent as parametersJsonSchema) comes back from passthrough.
      const keptSchema = kept?.['parameters'] !== undefined || kept?.['parametersJsonSchema'] !== undefined;
      const parameters = keptSchema ? undefined : toGeminiSchema(tool.inputSchema, kept !== undefined);
      return mergeKept(
        {
          name: tool.name,
          ...(tool.description === undefined ? {} : { description: tool.description }),
          ...(parameters ? { parameters } : {}),
        },
        ownFields(tool.passthrough),
      );
    });
    body['tools'] = [{ functionDeclarations }];
    const mayCallSeveral = request.toolChoice?.type !== 'none';
    if (request.parallelToolCalls === false && mayCallSeveral)
      throw badRequest('parallelToolCalls', 'Gemini cannot forbid several function calls in one turn');
  }
  if (request.toolChoice)
    body['toolConfig'] = { functionCallingConfig: functionCallingConfig(request.toolChoice) };
  const config = generationConfig(request, own);
  if (Object.keys(config).length > 0) body['generationConfig'] = config;

  const model = options.model.replace(/^models\//, '');
  const method = options.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return {
    path: `/v1beta/models/${encodeURIComponent(model)}:${method}`,
    body: mergeKept(body, own),
    headers: {},
  };
}
