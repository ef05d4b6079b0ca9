import { describe, expect, it } from 'vitest';
import { fitsResponseSchema } from './frame-guard.ts';
import { responseSchema } from './schemas.ts';

// The guard may only say "fits" where the schema agrees; everything else is the schema's to judge.
const fits: unknown[] = [
  {},
  { candidates: [] },
  {
    candidates: [{ content: { role: 'model', parts: [{ text: 'hi' }] }, index: 0 }],
    modelVersion: 'g',
    responseId: 'r',
  },
  { candidates: [{ content: { parts: [{ text: 'x', thought: true, thoughtSignature: 'sig' }] } }] },
  {
    candidates: [{ content: { parts: [] }, finishReason: 'STOP' }],
    usageMetadata: { promptTokenCount: 3, totalTokenCount: 5 },
  },
  {
    candidates: [{ content: { role: 'model' } }],
    promptFeedback: { blockReason: 'SAFETY' },
    extra: { any: [1] },
  },
  { candidates: [{ content: { parts: [{ text: 'a', unknownField: 1 }] } }] },
];

const toZod: unknown[] = [
  // valid, but deeper than the guard looks
  { candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] } }] },
  { candidates: [{ content: { parts: [{ inlineData: { mimeType: 'image/png', data: 'AA' } }] } }] },
  // invalid
  [],
  'frame',
  { candidates: {} },
  { candidates: [null] },
  { candidates: [{ finishReason: 1 }] },
  { candidates: [{ index: '0' }] },
  { candidates: [{ content: [] }] },
  { candidates: [{ content: { role: 1 } }] },
  { candidates: [{ content: { parts: {} } }] },
  { candidates: [{ content: { parts: [null] } }] },
  { candidates: [{ content: { parts: [{ text: 1 }] } }] },
  { candidates: [{ content: { parts: [{ thought: 'yes' }] } }] },
  { candidates: [{ content: { parts: [{ thoughtSignature: 2 }] } }] },
  { usageMetadata: [] },
  { usageMetadata: { promptTokenCount: '3' } },
  { promptFeedback: { blockReason: 2 } },
  { promptFeedback: 'x' },
  { modelVersion: 1 },
  { responseId: null },
];

describe('fitsResponseSchema', () => {
  it.each(fits)('says fits, and the schema agrees: %j', (frame) => {
    expect(fitsResponseSchema(frame)).toBe(true);
    expect(responseSchema.safeParse(frame).success).toBe(true);
  });

  it.each(toZod)('leaves it to the schema: %j', (frame) => {
    expect(fitsResponseSchema(frame)).toBe(false);
  });

  it('never says fits where the schema refuses', () => {
    for (const frame of toZod) {
      if (!responseSchema.safeParse(frame).success) expect(fitsResponseSchema(frame)).toBe(false);
    }
  });
});
