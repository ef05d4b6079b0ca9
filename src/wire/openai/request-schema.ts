/** zod schemas of a Chat Completions request as a server receives it (loose: unknown keys are kept). */
import { z } from 'zod';

const STRING_OR_ARRAY = 'expected string or array';

export const textPartSchema = z.looseObject({ type: z.literal('text'), text: z.string() });

/** Any content part; its `type` picks the stricter schema in parse-request. */
export const anyPartSchema = z.looseObject({ type: z.string() });

export const imageUrlPartSchema = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string() }),
});

export const refusalPartSchema = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

export const systemMessageSchema = z.looseObject({
  role: z.enum(['system', 'developer']),
  content: z.union([z.string(), z.array(textPartSchema)], { error: STRING_OR_ARRAY }),
});

export const userMessageSchema = z.looseObject({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(anyPartSchema)], { error: STRING_OR_ARRAY }),
});

export const toolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

export const assistantMessageSchema = z.looseObject({
  role: z.literal('assistant'),
  content: z
    .union([z.string(), z.array(anyPartSchema)], { error: 'expected string, array or null' })
    .nullish(),
  tool_calls: z.array(toolCallSchema).nullish(),
});

export const toolMessageSchema = z.looseObject({
  role: z.literal('tool'),
  tool_call_id: z.string(),
  content: z.union([z.string(), z.array(textPartSchema)], { error: STRING_OR_ARRAY }),
});

export const MESSAGE_ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

export const functionToolSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string(),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const toolChoiceSchema = z.union(
  [
    z.enum(['none', 'auto', 'required']),
    z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
  ],
  { error: 'expected "none", "auto", "required" or {type:"function", function:{name}}' },
);

export const responseFormatSchema = z.union(
  [
    z.looseObject({ type: z.enum(['text', 'json_object']) }),
    z.looseObject({
      type: z.literal('json_schema'),
      json_schema: z.looseObject({
        name: z.string(),
        schema: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullish(),
      }),
    }),
  ],
  { error: 'expected {type:"text"|"json_object"} or {type:"json_schema", json_schema:{name, schema}}' },
);

/** The top level; messages are checked one by one afterwards so errors name the exact field. */
export const requestSchema = z.looseObject({
  model: z.string(),
  messages: z.array(z.looseObject({ role: z.enum(MESSAGE_ROLES) })).min(1),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  n: z.number().int().positive().nullish(),
  stop: z
    .union([z.string(), z.array(z.string())], { error: 'expected string or array of strings' })
    .nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(z.looseObject({ type: z.string() })).nullish(),
  tool_choice: z.unknown().optional(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: z.unknown().optional(),
  user: z.string().nullish(),
});

export type RawRequest = z.output<typeof requestSchema>;
