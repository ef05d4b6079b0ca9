import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { learnValueTemplate, readValueTemplate } from './value-template.ts';

const chunkWith = (content: string, id = 'chatcmpl-1') =>
  JSON.stringify({
    id,
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }],
  });

describe('value templates', () => {
  it('reads any string put in the learned place, escapes and all', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ unit: 'binary' }), (first, next) => {
        const template = learnValueTemplate(chunkWith(first), 'content', first);
        expect(template).toBeDefined();
        if (!template) return;
        expect(readValueTemplate(template, chunkWith(next))).toBe(next);
      }),
    );
  });

  it('never reads a text that does not parse to the template object with that string (soundness)', () => {
    const template = learnValueTemplate(chunkWith('hello'), 'content', 'hello');
    if (!template) throw new Error('no template');
    const around = (body: string) => `${template.prefix}${body}${template.suffix}`;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary' }).map((t) => JSON.stringify(t)),
          fc
            .tuple(fc.string({ unit: 'binary' }), fc.string(), fc.string())
            .map(([a, cut, tail]) => `${JSON.stringify(a).slice(0, -1)}${cut}"${tail}`),
        ),
        (body) => {
          const data = around(body);
          const read = readValueTemplate(template, data);
          let parsed: unknown;
          try {
            parsed = JSON.parse(data);
          } catch {
            expect(read).toBeUndefined();
            return;
          }
          if (read !== undefined) expect(parsed).toEqual(JSON.parse(chunkWith(read)));
        },
      ),
      { numRuns: 500 },
    );
    // Bodies that close the string early and add structure are not one string: not read.
    expect(readValueTemplate(template, around('"a","x":"b"'))).toBeUndefined();
    expect(readValueTemplate(template, around('"a\\"'))).toBeUndefined();
    expect(readValueTemplate(template, around('"tab\tinside"'))).toBeUndefined();
    expect(readValueTemplate(template, around('"é \\u00e9 \\n"'))).toBe('é é \n');
  });

  it('does not match another event: a different id, an added field, another shape', () => {
    const template = learnValueTemplate(chunkWith('hi'), 'content', 'hi');
    if (!template) throw new Error('no template');
    expect(readValueTemplate(template, chunkWith('x', 'chatcmpl-2'))).toBeUndefined();
    expect(
      readValueTemplate(template, chunkWith('x').replace('"created":1', '"created":1,"x":2')),
    ).toBeUndefined();
    expect(readValueTemplate(template, '{}')).toBeUndefined();
    expect(readValueTemplate(template, '')).toBeUndefined();
  });

  it('learns nothing when the place is ambiguous', () => {
    const twice = JSON.stringify({ a: { content: 'x' }, b: { content: 'x' } });
    expect(learnValueTemplate(twice, 'content', 'x')).toBeUndefined();
    expect(learnValueTemplate(chunkWith('x'), 'content', 'y')).toBeUndefined();
  });
});
