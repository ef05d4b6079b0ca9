import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../wire/canonical/index.ts';
import type { StreamEncoder } from '../wire/codec.ts';
import { planToParts } from './answer-parts.ts';
import type { AnswerPlan } from './answer-plan.ts';
import { type FaultPlan, planFaults } from './fault-plan.ts';
import { parseFaultSpec } from './fault-spec.ts';
import { type Step, streamSteps } from './write-stream.ts';

// An encoder that names each part, so the steps read as a script.
const encoder: StreamEncoder = {
  encode: (part: StreamPart) =>
    part.type === 'block_delta' && part.delta.type === 'text' ? `[${part.delta.text}]` : `<${part.type}>`,
  end: () => '<end>',
  keepAlive: () => '',
};

const plan: AnswerPlan = {
  kind: 'answer',
  continuation: undefined,
  matched: false,
  behaviour: undefined,
  blocks: [{ type: 'text', tokens: ['a', 'b', 'c'] }],
  stopReason: 'end_turn',
  stopSequence: null,
  inputTokens: 5,
  outputTokens: 3,
};

const steps = (spec?: string, latency = { firstTokenMs: 0, tokenMs: 0 }): Step[] => {
  const faults: FaultPlan = planFaults(spec ? parseFaultSpec(spec).faults : [], latency);
  return streamSteps({
    parts: planToParts(plan, { id: 'id', model: 'm' }),
    encoder,
    faults,
    format: 'anthropic',
    errorEvent: () => '<error>',
  });
};

const script = (list: Step[]) =>
  list.map((s) => (s.type === 'write' ? s.text : s.type === 'wait' ? `wait(${s.ms})` : s.type)).join(' ');

describe('streamSteps', () => {
  it('writes every part then the closing text', () => {
    expect(script(steps())).toBe(
      '<message_start> <block_start> [a] [b] [c] <block_stop> <message_delta> <message_stop> <end> end',
    );
  });

  it('waits before the first token and between tokens', () => {
    expect(script(steps(undefined, { firstTokenMs: 100, tokenMs: 10 }))).toBe(
      '<message_start> <block_start> wait(100) [a] wait(10) [b] wait(10) [c] <block_stop> <message_delta> <message_stop> <end> end',
    );
  });

  it('cuts after N tokens with no terminal event', () => {
    expect(script(steps('cut after=2'))).toBe('<message_start> <block_start> [a] [b] cut');
    expect(script(steps('cut after=0'))).toBe('<message_start> <block_start> cut');
    expect(script(steps('cut after=99'))).toBe('<message_start> <block_start> [a] [b] [c] cut');
  });

  it('stalls after N tokens, for a time or for good', () => {
    expect(script(steps('stall after=1 ms=500'))).toBe(
      '<message_start> <block_start> [a] wait(500) [b] [c] <block_stop> <message_delta> <message_stop> <end> end',
    );
    expect(script(steps('stall after=1'))).toContain('[a] freeze [b]');
  });

  it('inserts a malformed frame after N tokens and carries on', () => {
    const s = script(steps('malformed at=1'));
    expect(s).toMatch(
      /^<message_start> <block_start> \[a\] event: content_block_delta\ndata: \{.*\n\n \[b\] \[c\]/s,
    );
    expect(s.endsWith('<end> end')).toBe(true);
  });

  it('sends the in-band error event after N tokens and ends the body', () => {
    expect(script(steps('error_event at=2'))).toBe('<message_start> <block_start> [a] [b] <error> end');
  });

  it('leaves out [DONE] where the format has one, else the stop event', () => {
    expect(script(steps('no_terminal'))).toBe(
      '<message_start> <block_start> [a] [b] [c] <block_stop> <message_delta> <message_stop> end',
    );
    const noTail = streamSteps({
      parts: planToParts(plan, { id: 'id', model: 'm' }),
      // Like Anthropic's: the stop part encodes to two frames, and there is no closing text.
      encoder: {
        ...encoder,
        encode: (part) => (part.type === 'message_stop' ? 'delta\n\nstop\n\n' : encoder.encode(part)),
        end: () => '',
      },
      faults: planFaults(parseFaultSpec('no_terminal').faults, { firstTokenMs: 0, tokenMs: 0 }),
      format: 'anthropic',
      errorEvent: () => '',
    });
    expect(script(noTail)).toBe(
      '<message_start> <block_start> [a] [b] [c] <block_stop> <message_delta> delta\n\n end',
    );
  });

  it('marks exactly the content deltas as tokens', () => {
    expect(steps().reduce((n, s) => n + (s.type === 'write' ? s.tokens : 0), 0)).toBe(3);
  });
});
