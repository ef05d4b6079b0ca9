import { describe, expect, it } from 'vitest';
import { chunkProblem } from './chunk-guard.ts';
import { chunkSchema } from './response-schema.ts';

// The guard replaces chunkSchema on the hot path: it must accept and refuse the same chunks.
const accepted: unknown[] = [
  {},
  { id: 'c', model: 'm', choices: [] },
  { choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] },
  { choices: [{ index: 0, delta: null }] },
  { choices: [{ index: 0 }], usage: null },
  {
    choices: [
      { index: 0, delta: { role: 'assistant', content: null, refusal: null, reasoning_content: 'r' } },
    ],
  },
  {
    choices: [
      { index: 1, delta: { tool_calls: [{ index: 0, id: 'x', type: 'function', function: { name: 'f' } }] } },
    ],
  },
  { choices: [{ index: 0, delta: { tool_calls: [{ function: { arguments: '{"a"' } }] } }] },
  { choices: [{ index: 0, delta: { tool_calls: [{ function: null, id: null, type: null }] } }] },
  { choices: [{ index: 0, delta: { tool_calls: null } }], usage: { prompt_tokens: 1 }, extra: [1] },
];

const refused: Array<[unknown, string]> = [
  [[], 'expected an object'],
  ['text', 'expected an object'],
  [{ id: 3 }, 'id'],
  [{ model: null }, 'model'],
  [{ choices: 'nope' }, 'choices'],
  [{ choices: null }, 'choices'],
  [{ choices: [3] }, 'choices.0'],
  [{ choices: [{}] }, 'choices.0.index'],
  [{ choices: [{ index: -1 }] }, 'choices.0.index'],
  [{ choices: [{ index: 0.5 }] }, 'choices.0.index'],
  [{ choices: [{ index: '0' }] }, 'choices.0.index'],
  [{ choices: [{ index: 0, finish_reason: 1 }] }, 'choices.0.finish_reason'],
  [{ choices: [{ index: 0, delta: 'x' }] }, 'choices.0.delta'],
  [{ choices: [{ index: 0, delta: [] }] }, 'choices.0.delta'],
  [{ choices: [{ index: 0, delta: { content: 5 } }] }, 'choices.0.delta.content'],
  [{ choices: [{ index: 0, delta: { role: {} } }] }, 'choices.0.delta.role'],
  [{ choices: [{ index: 0, delta: { refusal: true } }] }, 'choices.0.delta.refusal'],
  [{ choices: [{ index: 0, delta: { reasoning_content: 1 } }] }, 'choices.0.delta.reasoning_content'],
  [{ choices: [{ index: 0, delta: { tool_calls: {} } }] }, 'choices.0.delta.tool_calls'],
  [{ choices: [{ index: 0, delta: { tool_calls: [null] } }] }, 'choices.0.delta.tool_calls.0'],
  [{ choices: [{ index: 0, delta: { tool_calls: [{ index: -2 }] } }] }, 'choices.0.delta.tool_calls.0.index'],
  [{ choices: [{ index: 0, delta: { tool_calls: [{ id: 1 }] } }] }, 'choices.0.delta.tool_calls.0.id'],
  [{ choices: [{ index: 0, delta: { tool_calls: [{ type: 1 }] } }] }, 'choices.0.delta.tool_calls.0.type'],
  [
    { choices: [{ index: 0, delta: { tool_calls: [{ function: 'f' }] } }] },
    'choices.0.delta.tool_calls.0.function',
  ],
  [
    { choices: [{ index: 0, delta: { tool_calls: [{ function: { name: 2 } }] } }] },
    'choices.0.delta.tool_calls.0.function.name',
  ],
  [
    { choices: [{ index: 0, delta: { tool_calls: [{ function: { arguments: {} } }] } }] },
    'choices.0.delta.tool_calls.0.function.arguments',
  ],
  [{ usage: 'lots' }, 'usage'],
  [{ usage: [] }, 'usage'],
];

describe('chunkProblem', () => {
  it.each(accepted)('accepts what chunkSchema accepts: %j', (chunk) => {
    expect(chunkSchema.safeParse(chunk).success).toBe(true);
    expect(chunkProblem(chunk)).toBeUndefined();
  });

  it.each(refused)('refuses what chunkSchema refuses, naming the field: %j', (chunk, path) => {
    expect(chunkSchema.safeParse(chunk).success).toBe(false);
    const problem = chunkProblem(chunk);
    expect(problem).toBeDefined();
    if (path === 'expected an object') expect(problem).toBe(path);
    else expect(problem?.startsWith(`${path}: `)).toBe(true);
  });
});
