/**
 * zod schemas of an Anthropic Messages request, loose: unknown keys survive the parse so
 * the parser can keep them in passthrough. Blocks are checked one by one by type.
 */
import { z } from 'zod';

const jsonObject = z.record(z.string(), z.unknown());

export const textBlockSchema = z.looseObject({ type: z.literal('text'), text: z.string() });

export const imageSourceSchema = z.union([
  z.looseObject({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
  z.looseObject({ type: z.literal('url'), url: z.string() }),
]);

export const imageBlockSchema = z.looseObject({ type: z.literal('image'), source: jsonObject });

export const toolUseBlockSchema = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: jsonObject,
});

export const toolResultBlockSchema = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(jsonObject)]).optional(),
  is_error: z.boolean().optional(),
});

export const thinkingBlockSchema = z.looseObject({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string().optional(),
});

export const redactedThinkingBlockSchema = z.looseObject({
  type: z.literal('redacted_thinking'),
  data: z.string(),
});

export const messageSchema = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(jsonObject)], { error: 'expected string or array' }),
});

export const toolSchema = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  input_schema: jsonObject,
});

export const toolChoiceSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('none') }),
  z.looseObject({
    type: z.literal('tool'),
    name: z.string(),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
]);

export const thinkingSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('enabled'), budget_tokens: z.number().int() }),
  z.looseObject({ type: z.literal('disabled') }),
  z.looseObject({ type: z.literal('adaptive') }),
]);

export const outputConfigSchema = z.looseObject({
  format: z
    .looseObject({ type: z.literal('json_schema'), schema: jsonObject })
    .nullable()
    .optional(),
});

export const requestSchema = z.looseObject({
  model: z.string(),
  max_tokens: z.number().int().positive(),
  messages: z.array(jsonObject),
  system: z.union([z.string(), z.array(jsonObject)], { error: 'expected string or array' }).optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  top_k: z.number().int().optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  tools: z.array(jsonObject).optional(),
  tool_choice: jsonObject.optional(),
  thinking: jsonObject.optional(),
  metadata: z.looseObject({ user_id: z.string().nullable().optional() }).optional(),
  output_config: jsonObject.optional(),
});

export type RawRequest = z.output<typeof requestSchema>;
