/**
 * zod schemas of an OpenAI Responses API request (`POST /v1/responses`) as a server receives
 * it, for the parts outlast translates. Loose: fields it does not read are left alone here and
 * judged in parse-request (kept, echoed, or refused by name).
 */
import { z } from 'zod';

export const inputTextSchema = z.looseObject({ type: z.literal('input_text'), text: z.string() });
export const outputTextSchema = z.looseObject({ type: z.literal('output_text'), text: z.string() });
export const refusalSchema = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
export const inputImageSchema = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().nullish(),
  file_id: z.string().nullish(),
  detail: z.string().optional(),
});

/** Any content part or item; its `type` picks the stricter schema. */
export const typedSchema = z.looseObject({ type: z.string() });

export const messageItemSchema = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer'], {
    error: 'expected one of user, assistant, system, developer',
  }),
  content: z.union([z.string(), z.array(typedSchema)], { error: 'expected a string or an array of parts' }),
});

export const functionCallItemSchema = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
});

export const functionCallOutputItemSchema = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string(),
  output: z.union([z.string(), z.array(typedSchema)], { error: 'expected a string or an array of parts' }),
});

export const reasoningItemSchema = z.looseObject({
  type: z.literal('reasoning'),
  summary: z.array(z.looseObject({ text: z.string() })).optional(),
  content: z.array(z.looseObject({ text: z.string() })).nullish(),
  encrypted_content: z.string().nullish(),
});

export const functionToolSchema = z.looseObject({
  type: z.literal('function'),
  name: z.string(),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

export const toolChoiceSchema = z.union(
  [
    z.enum(['auto', 'none', 'required']),
    z.looseObject({ type: z.literal('function'), name: z.string() }),
    typedSchema,
  ],
  { error: "expected 'auto', 'none', 'required' or an object with a type" },
);

export const textFormatSchema = z.union(
  [
    z.looseObject({ type: z.literal('text') }),
    z.looseObject({ type: z.literal('json_object') }),
    z.looseObject({
      type: z.literal('json_schema'),
      name: z.string(),
      schema: z.record(z.string(), z.unknown()),
      strict: z.boolean().nullish(),
      description: z.string().optional(),
    }),
  ],
  { error: "expected a format of type 'text', 'json_object' or 'json_schema' (with name and schema)" },
);

const nullableNumber = z.number({ error: 'expected a number' }).nullish();

export const requestSchema = z.looseObject({
  model: z.string({ error: 'expected a string' }).min(1, 'expected a model name'),
  // Optional as in the API: a stored prompt or conversation may be all there is.
  input: z
    .union([z.string(), z.array(typedSchema.or(messageItemSchema))], {
      error: 'expected a string or an array of input items',
    })
    .optional(),
  instructions: z.string({ error: 'expected a string' }).nullish(),
  max_output_tokens: z.number().int('expected an integer').min(1, 'expected a positive integer').nullish(),
  temperature: nullableNumber,
  top_p: nullableNumber,
  stream: z.boolean({ error: 'expected a boolean' }).nullish(),
  tools: z.array(typedSchema, { error: 'expected an array of tools' }).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean({ error: 'expected a boolean' }).nullish(),
  reasoning: z
    .looseObject({
      effort: z.string().nullish(),
      summary: z.string().nullish(),
    })
    .nullish(),
  text: z.looseObject({ format: textFormatSchema.optional(), verbosity: z.string().nullish() }).nullish(),
  user: z.string({ error: 'expected a string' }).optional(),
  safety_identifier: z.string({ error: 'expected a string' }).nullish(),
  metadata: z.record(z.string(), z.string(), { error: 'expected an object of strings' }).nullish(),
});

export type RawResponsesRequest = z.output<typeof requestSchema>;
