import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sampleFromSchema, structuredTokens } from './structured-answer.ts';

const schema = z.object({
  name: z.string(),
  count: z.number().int().min(3),
  ratio: z.number(),
  ok: z.boolean(),
  status: z.enum(['up', 'down']),
  kind: z.literal('service'),
  tags: z.array(z.string()).min(1),
  owner: z.object({ team: z.string(), size: z.number().nullable() }),
  note: z.string().optional(),
});
const jsonSchema = z.toJSONSchema(schema) as never;

describe('the mock structured answer', () => {
  it('samples a value the schema accepts: enums, consts, minimums, nested objects, arrays, nullable', () => {
    const value = sampleFromSchema(jsonSchema, 'k');
    expect(schema.parse(value)).toEqual(value);
    expect(value).toMatchObject({ status: 'up', kind: 'service', ok: true });
  });

  it('is deterministic from its key and differs between keys', () => {
    expect(sampleFromSchema(jsonSchema, 'a')).toEqual(sampleFromSchema(jsonSchema, 'a'));
    expect(sampleFromSchema(jsonSchema, 'a')).not.toEqual(sampleFromSchema(jsonSchema, 'b'));
  });

  it('splits the JSON into tokens that join back to it, strings whole', () => {
    const tokens = structuredTokens({ type: 'json_schema', name: 'x', schema: jsonSchema }, 'k', 'unused')!;
    expect(tokens.length).toBeGreaterThan(10);
    expect(schema.parse(JSON.parse(tokens.join('')))).toBeDefined();
    for (const token of tokens) if (token.includes('"')) expect(token.trim()).toMatch(/^".*"$/);
  });

  it('answers json_object with the prose in an object, and plain text with nothing', () => {
    const tokens = structuredTokens({ type: 'json_object' }, 'k', 'Some prose.')!;
    expect(JSON.parse(tokens.join(''))).toEqual({ answer: 'Some prose.' });
    expect(structuredTokens({ type: 'text' }, 'k', 'x')).toBeUndefined();
  });
});
