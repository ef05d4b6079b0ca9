/** zod schemas of what an OpenAI-format upstream answers (loose: compatible servers add fields). */
import { z } from 'zod';

const toolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string().nullish() }),
});

export const completionSchema = z.looseObject({
  id: z.string(),
  model: z.string(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().optional(),
        message: z.looseObject({
          role: z.string().optional(),
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          reasoning_content: z.string().nullish(),
          tool_calls: z.array(toolCall).nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: z.looseObject({}).nullish(),
});

export type RawCompletion = z.output<typeof completionSchema>;

const toolCallDelta = z.looseObject({
  // Some compatible servers leave out `index` (or the first `id`); the decoder copes.
  index: z.number().int().nonnegative().optional(),
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

export const chunkSchema = z.looseObject({
  id: z.string().optional(),
  model: z.string().optional(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().int().nonnegative(),
        delta: z
          .looseObject({
            role: z.string().nullish(),
            content: z.string().nullish(),
            refusal: z.string().nullish(),
            reasoning_content: z.string().nullish(),
            tool_calls: z.array(toolCallDelta).nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .optional(),
  usage: z.looseObject({}).nullish(),
});

export type RawChunk = z.output<typeof chunkSchema>;

export const errorBodySchema = z.looseObject({
  error: z.union([
    z.looseObject({
      message: z.string().nullish(),
      type: z.string().nullish(),
      param: z.unknown().optional(),
      code: z.union([z.string(), z.number()]).nullish(),
    }),
    z.string(),
  ]),
});
