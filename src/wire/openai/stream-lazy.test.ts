/**
 * The decoder reads plain token chunks lazily (shared/value-template.ts): whatever the stream,
 * its parts must be those of parsing every chunk whole. The reference run gives each chunk its
 * own spacing inside the object, so no chunk ever matches another's template.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../canonical/index.ts';
import { createOpenaiStreamDecoder } from './index.ts';

type Outcome = { parts: StreamPart[]; malformed: number } | { error: string };

function decode(events: string[]): Outcome {
  const decoder = createOpenaiStreamDecoder();
  const parts: StreamPart[] = [];
  let malformed = 0;
  try {
    for (const data of events) {
      try {
        parts.push(...decoder.push({ data }));
      } catch (e) {
        if ((e as { kind?: string }).kind !== 'invalid_response') throw e;
        malformed++;
      }
      if (decoder.complete) break;
    }
    if (!decoder.complete) parts.push(...decoder.end());
    return { parts, malformed };
  } catch (e) {
    return { error: String((e as Error).message) };
  }
}

/** The same chunk, spaced so that no two chunks share a template. */
const spaced = (data: string, i: number) =>
  data.startsWith('{') ? `{${' '.repeat(i + 1)}${data.slice(1)}` : data;

const chunk = (id: string, delta: Record<string, unknown>, finish: string | null = null, extra = {}) =>
  JSON.stringify({
    id,
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-x',
    ...extra,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });

const token = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('"', '\\', '\n', 'é', '\u2028'),
);
const event = fc.oneof(
  { weight: 8, arbitrary: token.map((t) => chunk('c1', { content: t })) },
  { weight: 1, arbitrary: token.map((t) => chunk('c2', { content: t })) },
  { weight: 1, arbitrary: token.map((t) => chunk('c1', { content: t }, null, { system_fingerprint: 'fp' })) },
  { weight: 1, arbitrary: token.map((t) => chunk('c1', { role: 'assistant', content: t })) },
  { weight: 1, arbitrary: token.map((t) => chunk('c1', { reasoning_content: t })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat(2), token)
      .map(([i, t]) =>
        chunk('c1', { tool_calls: [{ index: i, id: `call_${i}`, function: { name: 'f', arguments: t } }] }),
      ),
  },
  { weight: 1, arbitrary: token.map((t) => chunk('c1', { content: t }, 'stop')) },
  {
    weight: 1,
    arbitrary: fc.constant(
      JSON.stringify({ id: 'c1', choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } }),
    ),
  },
  // A token chunk whose string is broken, or which is not JSON at all.
  {
    weight: 1,
    arbitrary: token.map((t) => chunk('c1', { content: t }).replace(/"content":"/, '"content":"\\x')),
  },
  { weight: 1, arbitrary: fc.constant('{"id":"c1","choices":[{"index":0,"delta":{"content":') },
  { weight: 1, arbitrary: fc.constant('{"error":{"message":"overloaded","type":"server_error"}}') },
  { weight: 1, arbitrary: fc.constant('[DONE]') },
);

describe('openai stream decoder, lazy token chunks', () => {
  it('gives the parts of parsing every chunk whole, for any stream', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        expect(decode(events)).toEqual(decode(events.map(spaced)));
      }),
      { numRuns: 400 },
    );
  });

  it('reads a run of tokens with escapes, quotes and unicode exactly', () => {
    const tokens = ['Hello', ' "quoted"', ' back\\slash', ' new\nline', ' é', ' \u2028', ''];
    const events = [
      chunk('c1', { role: 'assistant', content: '' }),
      ...tokens.map((t) => chunk('c1', { content: t })),
      chunk('c1', {}, 'stop'),
      '[DONE]',
    ];
    const out = decode(events);
    if ('error' in out) throw new Error(out.error);
    const text = out.parts
      .map((p) => (p.type === 'block_delta' && p.delta.type === 'text' ? p.delta.text : ''))
      .join('');
    expect(text).toBe(tokens.join(''));
    expect(out.malformed).toBe(0);
  });

  it('counts a token chunk with a broken string as malformed, as a whole parse does', () => {
    const events = [
      chunk('c1', { content: 'a' }),
      chunk('c1', { content: 'b' }).replace('"b"', '"b\\q"'),
      chunk('c1', {}, 'stop'),
      '[DONE]',
    ];
    const out = decode(events);
    if ('error' in out) throw new Error(out.error);
    expect(out.malformed).toBe(1);
  });
});
