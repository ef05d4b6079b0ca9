/** Stream parts and a stitcher wired to a collector, for the stitcher's tests. */
import type { StreamPart } from '../../wire/canonical/index.ts';
import { createAssembler } from '../assemble.ts';
import { createStitcher, type StitcherOptions } from './stitcher.ts';

export const text = (index: number, t: string): StreamPart => ({
  type: 'block_delta',
  index,
  delta: { type: 'text', text: t },
});
export const start = (id: string, usage?: { inputTokens?: number; outputTokens?: number }): StreamPart => ({
  type: 'message_start',
  id,
  model: 'm',
  ...(usage ? { usage } : {}),
});
export const textStart = (index: number): StreamPart => ({
  type: 'block_start',
  index,
  block: { type: 'text' },
});
export const stop = (index: number): StreamPart => ({ type: 'block_stop', index });
export const toolStart = (index: number, id = 't1', name = 'lookup'): StreamPart => ({
  type: 'block_start',
  index,
  block: { type: 'tool_use', id, name },
});
export const args = (index: number, json: string): StreamPart => ({
  type: 'block_delta',
  index,
  delta: { type: 'tool_input', partialJson: json },
});

export function setup(options: StitcherOptions = {}) {
  const out: StreamPart[] = [];
  const assembler = createAssembler();
  let commits = 0;
  const s = createStitcher(
    (p) => {
      out.push(p);
      assembler.push(p);
    },
    {
      ...options,
      onCommit: () => {
        commits++;
        options.onCommit?.();
      },
    },
  );
  const texts = () =>
    out.flatMap((p) => (p.type === 'block_delta' && p.delta.type === 'text' ? [p.delta.text] : [])).join('');
  return { s, out, assembler, texts, commits: () => commits };
}

/** A first piece that sent `t` in text block 0 and broke off. */
export function firstPieceCut(s: ReturnType<typeof setup>['s'], t: string) {
  s.beginPiece();
  s.push(start('m1', { inputTokens: 100, outputTokens: 1 }));
  s.push(textStart(0));
  s.push(text(0, t));
  s.interruptPiece();
}
