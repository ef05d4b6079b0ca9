/** Gemini generateContent request → canonical (the server side), validated with zod. */
import { describeFirstIssue } from '../../errors/zod-issues.ts';
import type {
  CanonicalRequest,
  JsonObject,
  Message,
  ResponseFormat,
  TextBlock,
  ThinkingConfig,
  ToolChoice,
  ToolDefinition,
} from '../canonical/index.ts';
import type { ServerRequestContext } from '../codec.ts';
import { historyCallId } from './call-ids.ts';
import { camelKeys } from './camel-keys.ts';
import { decodeParts } from './decode-parts.ts';
import { badRequest, invalidBody } from './errors.ts';
import { keep, nest, unknownOf } from './passthrough.ts';
import { fromGeminiSchema } from './schema-sanitize.ts';
import { type GeminiRequest, requestSchema } from './schemas.ts';

const REQUEST_KEYS = ['model', 'contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig'];
const GENERATION_KEYS = [
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'stopSequences',
  'responseMimeType',
  'responseSchema',
  'thinkingConfig',
];

/** Links each functionResponse to the earliest unanswered call of the same name. */
function createCallLedger() {
  const open: Array<{ id: string; name: string }> = [];
  return {
    call(call: { id?: string; name: string }, turn: number, part: number): string {
      const id = call.id ?? historyCallId(turn, part);
      open.push({ id, name: call.name });
      return id;
    },
    answer(response: { id?: string; name: string }, turn: number, part: number): string {
      const at = open.findIndex((c) => (response.id ? c.id === response.id : c.name === response.name));
      if (at >= 0) return open.splice(at, 1)[0]!.id;
      return response.id ?? historyCallId(turn, part);
    },
  };
}

function messagesOf(contents: GeminiRequest['contents']): Message[] {
  const ledger = createCallLedger();
  return contents.map((content, turn) => {
    const role = content.role ?? 'user';
    if (role !== 'user' && role !== 'model')
      throw badRequest(`contents.${turn}.role`, `expected "user" or "model", got "${role}"`);
    const content_ = decodeParts(content.parts, {
      path: `contents.${turn}.parts`,
      callIdOf: (call, part) => ledger.call(call, turn, part),
      answeredIdOf: (response, part) => ledger.answer(response, turn, part),
    });
    return {
      role: role === 'model' ? 'assistant' : 'user',
      content: content_,
      ...keep(unknownOf(content, ['role', 'parts'])),
    };
  });
}

function systemOf(system: GeminiRequest['systemInstruction']): {
  system?: TextBlock[];
  kept?: JsonObject;
} {
  if (!system) return {};
  const blocks = system.parts.map((part, i): TextBlock => {
    const extra = unknownOf(part, ['text']);
    if (part.text === undefined || part.thought)
      throw badRequest(`systemInstruction.parts.${i}`, 'only text parts can be translated');
    return { type: 'text', text: part.text, ...keep(extra) };
  });
  return { system: blocks, kept: unknownOf(system, ['parts']) };
}

function toolsOf(tools: GeminiRequest['tools']): { tools?: ToolDefinition[]; kept?: JsonObject[] } {
  if (!tools) return {};
  const out: ToolDefinition[] = [];
  const kept: JsonObject[] = [];
  for (const tool of tools) {
    // Search, code execution and other built-in tools have no canonical form: they stay Gemini's.
    const extra = unknownOf(tool, ['functionDeclarations']);
    if (extra) kept.push(extra);
    for (const fn of tool.functionDeclarations ?? []) {
      const extra = unknownOf(fn, ['name', 'description', 'parameters']) ?? {};
      const jsonSchema = extra['parametersJsonSchema'];
      let inputSchema: JsonObject = { type: 'object', properties: {} };
      if (fn.parameters) {
        inputSchema = fromGeminiSchema(fn.parameters);
        // Gemini's own spelling (`OBJECT`) goes back to Gemini verbatim.
        if (JSON.stringify(inputSchema) !== JSON.stringify(fn.parameters))
          extra['parameters'] = fn.parameters;
      } else if (typeof jsonSchema === 'object' && jsonSchema !== null && !Array.isArray(jsonSchema)) {
        inputSchema = jsonSchema;
      }
      out.push({
        name: fn.name,
        ...(fn.description === undefined ? {} : { description: fn.description }),
        inputSchema,
        // Always marked: the encoder sends a Gemini schema back untouched.
        ...keep(extra, true),
      });
    }
  }
  return { ...(out.length > 0 ? { tools: out } : {}), ...(kept.length > 0 ? { kept } : {}) };
}

function toolChoiceOf(config: GeminiRequest['toolConfig']): { toolChoice?: ToolChoice; kept?: JsonObject } {
  const calling = config?.functionCallingConfig;
  if (!calling?.mode) return {};
  const names = calling.allowedFunctionNames;
  const rest = unknownOf(calling, ['mode', 'allowedFunctionNames']);
  if (calling.mode === 'ANY' && names?.length === 1)
    return { toolChoice: { type: 'tool', name: names[0]! }, kept: rest };
  const keptNames: JsonObject = names ? { allowedFunctionNames: names } : {};
  if (calling.mode === 'ANY') return { toolChoice: { type: 'any' }, kept: { ...rest, ...keptNames } };
  if (calling.mode === 'NONE') return { toolChoice: { type: 'none' }, kept: { ...rest, ...keptNames } };
  // AUTO; VALIDATED and unspecified read as auto elsewhere, and stay exact for Gemini.
  const mode: JsonObject = calling.mode === 'AUTO' ? {} : { mode: calling.mode };
  return { toolChoice: { type: 'auto' }, kept: { ...rest, ...keptNames, ...mode } };
}

function thinkingOf(config: { thinkingBudget?: number } | undefined): ThinkingConfig | undefined {
  const budget = config?.thinkingBudget;
  if (budget === undefined) return undefined;
  if (budget === 0) return { type: 'disabled' };
  if (budget < 0) return { type: 'adaptive' };
  return { type: 'enabled', budgetTokens: budget };
}

function responseFormatOf(
  config: NonNullable<GeminiRequest['generationConfig']>,
): ResponseFormat | undefined {
  const mime = config.responseMimeType;
  if (mime === undefined) return undefined;
  if (mime === 'text/plain') return { type: 'text' };
  if (mime !== 'application/json')
    throw badRequest('generationConfig.responseMimeType', `${mime} cannot be translated`);
  if (config.responseSchema)
    return { type: 'json_schema', name: 'response', schema: fromGeminiSchema(config.responseSchema) };
  if (config.responseJsonSchema)
    return { type: 'json_schema', name: 'response', schema: config.responseJsonSchema };
  return { type: 'json_object' };
}

export function decodeRequest(body: unknown, context: ServerRequestContext = {}): CanonicalRequest {
  const parsed = requestSchema.safeParse(camelKeys(body));
  if (!parsed.success) throw invalidBody(describeFirstIssue(parsed.error));
  const req = parsed.data;
  const gen = req.generationConfig;
  if (gen?.candidateCount !== undefined && gen.candidateCount !== 1)
    throw badRequest('generationConfig.candidateCount', 'only one candidate can be translated');

  let kept = unknownOf(req, REQUEST_KEYS);
  const { system, kept: systemKept } = systemOf(req.systemInstruction);
  kept = nest(kept, 'systemInstruction', systemKept);
  const { tools, kept: toolsKept } = toolsOf(req.tools);
  if (toolsKept) kept = { ...kept, tools: toolsKept };
  const { toolChoice, kept: choiceKept } = toolChoiceOf(req.toolConfig);
  const toolConfigKept = {
    ...unknownOf(req.toolConfig ?? {}, ['functionCallingConfig']),
    ...(choiceKept && Object.keys(choiceKept).length > 0 ? { functionCallingConfig: choiceKept } : {}),
  };
  if (Object.keys(toolConfigKept).length > 0) kept = { ...kept, toolConfig: toolConfigKept };
  if (gen) {
    let genKept = unknownOf(gen, GENERATION_KEYS);
    const thinkingKept = gen.thinkingConfig ? unknownOf(gen.thinkingConfig, ['thinkingBudget']) : undefined;
    genKept = nest(genKept, 'thinkingConfig', thinkingKept);
    const schema = gen.responseSchema;
    // Kept verbatim when the canonical form respells it (`STRING` → `string`).
    if (schema && JSON.stringify(fromGeminiSchema(schema)) !== JSON.stringify(schema))
      genKept = { ...genKept, responseSchema: schema };
    if (genKept) kept = { ...kept, generationConfig: genKept };
  }

  const request: CanonicalRequest = {
    model: (context.pathModel ?? req.model ?? '').replace(/^models\//, ''),
    messages: messagesOf(req.contents),
  };
  if (system) request.system = system;
  if (gen?.maxOutputTokens !== undefined) request.maxTokens = gen.maxOutputTokens;
  if (gen?.temperature !== undefined) request.temperature = gen.temperature;
  if (gen?.topP !== undefined) request.topP = gen.topP;
  if (gen?.topK !== undefined) request.topK = gen.topK;
  if (gen?.stopSequences !== undefined) request.stopSequences = gen.stopSequences;
  if (context.pathStream !== undefined) request.stream = context.pathStream;
  if (tools) request.tools = tools;
  if (toolChoice) request.toolChoice = toolChoice;
  const thinking = thinkingOf(gen?.thinkingConfig);
  if (thinking) request.thinking = thinking;
  const format = gen ? responseFormatOf(gen) : undefined;
  if (format) request.responseFormat = format;
  return { ...request, ...keep(kept) };
}
