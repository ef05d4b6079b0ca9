import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../wire/canonical/index.ts';
import { createAnswerStream } from '../call/answer-stream.ts';
import { createHedgeRace, racingSink } from './attempt-sink.ts';

const start: StreamPart = { type: 'message_start', id: 'm', model: 'x' };
const text = (index: number, t: string): StreamPart => ({
  type: 'block_delta',
  index,
  delta: { type: 'text', text: t },
});

function race() {
  const answer = createAnswerStream(() => {}, { atomicToolCalls: true });
  const shared = createHedgeRace();
  const wins: number[] = [];
  const sink = (i: number) =>
    racingSink(answer, shared, i, { atomicToolCalls: true, onWin: () => wins.push(i) });
  const caller = () => {
    const parts: StreamPart[] = [];
    for (let p = answer.pull(); p; p = answer.pull()) parts.push(p);
    return parts;
  };
  return { answer, shared, wins, sink, caller };
}

describe('racing sinks', () => {
  it('the first past the commit point claims the answer; the other holds a half tool call and never reaches the caller', () => {
    const { answer, shared, wins, sink, caller } = race();
    const a = sink(0);
    const b = sink(1);
    a.begin({ provider: 'p', model: 'a', attempts: 1 });
    b.begin({ provider: 'p', model: 'b', attempts: 2 });
    // A starts a tool call (its first token) but an atomic tool call commits only when whole.
    a.push(start);
    a.push({ type: 'block_start', index: 0, block: { type: 'tool_use', id: 't', name: 'f' } });
    a.push({ type: 'block_delta', index: 0, delta: { type: 'tool_input', partialJson: '{"city": "Par' } });
    expect(a.sawContent).toBe(true);
    expect(shared.winner).toBeUndefined();
    expect(caller()).toEqual([]);
    // B's first text is its commit point: it wins at once.
    b.push(start);
    b.push({ type: 'block_start', index: 0, block: { type: 'text' } });
    expect(caller()).toEqual([]);
    b.push(text(0, 'Hello'));
    expect(shared.winner).toBe(1);
    expect(wins).toEqual([1]);
    expect(answer.isCommitted).toBe(true);
    // A's next part is refused with the typed loss, and what it held is counted, never sent.
    expect(() =>
      a.push({ type: 'block_delta', index: 0, delta: { type: 'tool_input', partialJson: 'is"}' } }),
    ).toThrow(expect.objectContaining({ kind: 'cancelled', code: 'OUTLAST_HEDGE_LOST' }));
    expect(a.forwarded).toBe(false);
    expect(a.unsentTokens).toBeGreaterThan(0);
    a.abandon();
    b.push(text(0, ' world'));
    b.finish();
    const got = caller();
    const texts = got.flatMap((p) =>
      p.type === 'block_delta' && p.delta.type === 'text' ? [p.delta.text] : [],
    );
    expect(texts).toEqual(['Hello', ' world']);
    expect(got.some((p) => p.type === 'block_start' && p.block.type === 'tool_use')).toBe(false);
    expect(b.forwarded).toBe(true);
    expect(b.unsentTokens).toBe(0);
  });

  it('an answer with no content claims at its end, and a loser is refused whatever it sends after', () => {
    const { shared, sink, caller } = race();
    const a = sink(0);
    const b = sink(1);
    a.begin({ provider: 'p', model: 'a', attempts: 1 });
    b.begin({ provider: 'p', model: 'b', attempts: 2 });
    a.push(start);
    a.push({ type: 'message_delta', stopReason: 'end_turn' });
    a.finish();
    expect(shared.winner).toBe(0);
    expect(caller().map((p) => p.type)).toEqual(['message_start', 'message_delta', 'message_stop']);
    expect(() => b.push(start)).toThrow(expect.objectContaining({ code: 'OUTLAST_HEDGE_LOST' }));
    expect(() => b.finish()).toThrow(expect.objectContaining({ code: 'OUTLAST_HEDGE_LOST' }));
    expect(caller()).toEqual([]);
  });
});
