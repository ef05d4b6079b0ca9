import { describe, expect, it } from 'vitest';
import { fitsCompletion } from './completion-guard.ts';
import { fixtureNames, readJsonFixture } from './fixtures.ts';
import { completionSchema } from './response-schema.ts';

// The guard lets a body skip completionSchema: it may say yes only to what zod accepts unchanged.
const fixtures = fixtureNames('response.').map((name) => readJsonFixture(name));

const base = () => ({
  id: 'c',
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
});
const withMessage = (message: unknown) => ({ ...base(), choices: [{ index: 0, message }] });
const withChoice = (choice: unknown) => ({ ...base(), choices: [choice] });

const doubted: unknown[] = [
  null,
  [],
  'text',
  { ...base(), id: 3 },
  { ...base(), model: undefined },
  { ...base(), choices: [] },
  { ...base(), choices: 'x' },
  { ...base(), usage: 'x' },
  { ...base(), usage: [] },
  withChoice(3),
  withChoice({ index: '0', message: {} }),
  withChoice({ index: 0, message: {}, finish_reason: 1 }),
  withChoice({ index: 0 }),
  withMessage(null),
  withMessage({ role: null }),
  withMessage({ content: 1 }),
  withMessage({ refusal: {} }),
  withMessage({ reasoning_content: 2 }),
  withMessage({ tool_calls: {} }),
  withMessage({ tool_calls: [{ function: { name: 'f' } }] }),
  withMessage({ tool_calls: [{ id: 'x', type: 'other', function: { name: 'f' } }] }),
  withMessage({ tool_calls: [{ id: 'x', function: { name: 1 } }] }),
  withMessage({ tool_calls: [{ id: 'x', function: { name: 'f', arguments: {} } }] }),
  withMessage({ tool_calls: [{ id: 'x', function: null }] }),
];

describe('fitsCompletion', () => {
  it('accepts every response fixture, each of which zod accepts unchanged', () => {
    expect(fixtures.length).toBeGreaterThan(3);
    for (const body of fixtures) {
      expect(fitsCompletion(body)).toBe(true);
      expect(completionSchema.parse(body)).toEqual(body);
    }
  });

  it('accepts nulls, absent optionals and unknown fields where the schema does', () => {
    const bodies = [
      { ...base(), usage: null, extra: [1] },
      withMessage({}),
      withMessage({ content: null, refusal: null, reasoning_content: null, tool_calls: null }),
      withMessage({ tool_calls: [{ id: 'x', function: { name: 'f', arguments: null }, extra: 1 }] }),
      withChoice({ message: {}, finish_reason: null, logprobs: null }),
    ];
    for (const body of bodies) {
      expect(fitsCompletion(body)).toBe(true);
      expect(completionSchema.parse(body)).toEqual(body);
    }
  });

  it('doubts every body zod refuses, so the schema gives its own message', () => {
    for (const body of doubted) {
      expect(fitsCompletion(body)).toBe(false);
      expect(completionSchema.safeParse(body).success).toBe(false);
    }
  });
});
