/**
 * zod schemas of the Gemini generateContent wire shapes we read. Objects are loose: fields
 * we do not translate are kept and travel in `passthrough`, never dropped.
 */
import { z } from 'zod';

const jsonObject = z.record(z.string(), z.json());

export const blobSchema = z.looseObject({ mimeType: z.string(), data: z.string() });
export const fileDataSchema = z.looseObject({ mimeType: z.string().optional(), fileUri: z.string() });

export const functionCallSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string(),
  args: jsonObject.optional(),
});

export const functionResponseSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string(),
  response: jsonObject.optional(),
  parts: z
    .array(z.looseObject({ inlineData: blobSchema.optional(), fileData: fileDataSchema.optional() }))
    .optional(),
});

export const partSchema = z.looseObject({
  text: z.string().optional(),
  thought: z.boolean().optional(),
  thoughtSignature: z.string().optional(),
  inlineData: blobSchema.optional(),
  fileData: fileDataSchema.optional(),
  functionCall: functionCallSchema.optional(),
  functionResponse: functionResponseSchema.optional(),
});
export type GeminiPart = z.infer<typeof partSchema>;

export const contentSchema = z.looseObject({
  role: z.string().optional(),
  parts: z.array(partSchema, { error: 'expected an array of parts' }),
});
export type GeminiContent = z.infer<typeof contentSchema>;

export const functionDeclarationSchema = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  parameters: jsonObject.optional(),
});

export const FUNCTION_CALLING_MODES = ['AUTO', 'ANY', 'NONE', 'VALIDATED', 'MODE_UNSPECIFIED'] as const;

export const requestSchema = z.looseObject({
  model: z.string().optional(),
  contents: z.array(contentSchema, { error: 'expected an array of contents' }),
  systemInstruction: contentSchema.optional(),
  tools: z
    .array(z.looseObject({ functionDeclarations: z.array(functionDeclarationSchema).optional() }))
    .optional(),
  toolConfig: z
    .looseObject({
      functionCallingConfig: z
        .looseObject({
          mode: z.enum(FUNCTION_CALLING_MODES).optional(),
          allowedFunctionNames: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
  generationConfig: z
    .looseObject({
      maxOutputTokens: z.number().int().nonnegative().optional(),
      temperature: z.number().optional(),
      topP: z.number().optional(),
      topK: z.number().optional(),
      stopSequences: z.array(z.string()).optional(),
      candidateCount: z.number().int().optional(),
      responseMimeType: z.string().optional(),
      responseSchema: jsonObject.optional(),
      responseJsonSchema: jsonObject.optional(),
      thinkingConfig: z.looseObject({ thinkingBudget: z.number().int().optional() }).optional(),
    })
    .optional(),
});
export type GeminiRequest = z.infer<typeof requestSchema>;

export const usageMetadataSchema = z.looseObject({
  promptTokenCount: z.number().optional(),
  candidatesTokenCount: z.number().optional(),
  totalTokenCount: z.number().optional(),
  cachedContentTokenCount: z.number().optional(),
  thoughtsTokenCount: z.number().optional(),
  toolUsePromptTokenCount: z.number().optional(),
});
export type GeminiUsageMetadata = z.infer<typeof usageMetadataSchema>;

export const candidateSchema = z.looseObject({
  content: z.looseObject({ role: z.string().optional(), parts: z.array(partSchema).optional() }).optional(),
  finishReason: z.string().optional(),
  index: z.number().optional(),
});

export const responseSchema = z.looseObject({
  candidates: z.array(candidateSchema).optional(),
  promptFeedback: z.looseObject({ blockReason: z.string().optional() }).optional(),
  usageMetadata: usageMetadataSchema.optional(),
  modelVersion: z.string().optional(),
  responseId: z.string().optional(),
});
export type GeminiResponse = z.infer<typeof responseSchema>;

export const errorBodySchema = z.looseObject({
  error: z.looseObject({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z.array(z.looseObject({ '@type': z.string().optional() })).optional(),
  }),
});
