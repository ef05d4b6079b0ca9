import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../wire/canonical/index.ts';
import { finishReasonOf, usageOf } from './map-result.ts';
import { createPartMapper } from './stream-parts.ts';

describe('createPartMapper', () => {
  it('maps blocks to start/delta/end parts and a tool call with its whole input', () => {
    const mapper = createPartMapper();
    const parts: StreamPart[] = [
      { type: 'message_start', id: 'msg_1', model: 'claude-x', usage: { inputTokens: 10 } },
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'block_delta', index: 0, delta: { type: 'thinking', thinking: 'hmm' } },
      { type: 'block_delta', index: 0, delta: { type: 'signature', signature: 'sig' } },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'block_delta', index: 1, delta: { type: 'text', text: '' } },
      { type: 'block_delta', index: 1, delta: { type: 'text', text: 'Hi' } },
      { type: 'block_stop', index: 1 },
      { type: 'block_start', index: 2, block: { type: 'tool_use', id: 'toolu_1', name: 'f' } },
      { type: 'block_delta', index: 2, delta: { type: 'tool_input', partialJson: '{"a":' } },
      { type: 'block_delta', index: 2, delta: { type: 'tool_input', partialJson: '1}' } },
      { type: 'block_stop', index: 2 },
      { type: 'block_start', index: 3, block: { type: 'tool_use', id: 'toolu_2', name: 'g' } },
      { type: 'block_stop', index: 3 },
      { type: 'message_delta', stopReason: 'tool_use', usage: { outputTokens: 7 } },
      { type: 'message_stop' },
    ];
    expect(parts.flatMap((p) => mapper.map(p))).toEqual([
      { type: 'reasoning-start', id: '0' },
      { type: 'reasoning-delta', id: '0', delta: 'hmm' },
      { type: 'reasoning-delta', id: '0', delta: '', providerMetadata: { outlast: { signature: 'sig' } } },
      { type: 'reasoning-end', id: '0' },
      { type: 'text-start', id: '1' },
      { type: 'text-delta', id: '1', delta: 'Hi' },
      { type: 'text-end', id: '1' },
      { type: 'tool-input-start', id: 'toolu_1', toolName: 'f' },
      { type: 'tool-input-delta', id: 'toolu_1', delta: '{"a":' },
      { type: 'tool-input-delta', id: 'toolu_1', delta: '1}' },
      { type: 'tool-input-end', id: 'toolu_1' },
      { type: 'tool-call', toolCallId: 'toolu_1', toolName: 'f', input: '{"a":1}' },
      { type: 'tool-input-start', id: 'toolu_2', toolName: 'g' },
      { type: 'tool-input-end', id: 'toolu_2' },
      { type: 'tool-call', toolCallId: 'toolu_2', toolName: 'g', input: '{}' },
    ]);
    expect(mapper.state).toMatchObject({
      id: 'msg_1',
      model: 'claude-x',
      stopReason: 'tool_use',
      usage: { inputTokens: 10, outputTokens: 7 },
    });
    expect(mapper.closeOpen()).toEqual([]);
  });

  it('closes what a broken stream left open, without a tool call for half an input', () => {
    const mapper = createPartMapper();
    mapper.map({ type: 'block_start', index: 0, block: { type: 'text' } });
    mapper.map({ type: 'block_start', index: 1, block: { type: 'tool_use', id: 't', name: 'f' } });
    mapper.map({ type: 'block_delta', index: 1, delta: { type: 'tool_input', partialJson: '{"a' } });
    expect(mapper.closeOpen()).toEqual([
      { type: 'text-end', id: '0' },
      { type: 'tool-input-end', id: 't' },
    ]);
  });
});

describe('finish reasons and usage', () => {
  it('maps every stop reason, and a salvaged answer per spec version', () => {
    expect(finishReasonOf('end_turn', false, 'v4')).toEqual({ unified: 'stop', raw: 'end_turn' });
    expect(finishReasonOf('stop_sequence', false, 'v4').unified).toBe('stop');
    expect(finishReasonOf('max_tokens', false, 'v4').unified).toBe('length');
    expect(finishReasonOf('context_window_exceeded', false, 'v4').unified).toBe('length');
    expect(finishReasonOf('tool_use', false, 'v4').unified).toBe('tool-calls');
    expect(finishReasonOf('refusal', false, 'v4').unified).toBe('content-filter');
    expect(finishReasonOf('pause_turn', false, 'v4').unified).toBe('other');
    expect(finishReasonOf(undefined, false, 'v4')).toEqual({ unified: 'other', raw: undefined });
    expect(finishReasonOf('end_turn', true, 'v4')).toEqual({ unified: 'interrupted', raw: 'truncated' });
    expect(finishReasonOf('end_turn', true, 'v3')).toEqual({ unified: 'other', raw: 'truncated' });
  });

  it('counts cache reads and writes into the input total, and splits reasoning from text when known', () => {
    expect(
      usageOf({
        inputTokens: 10,
        cacheReadTokens: 100,
        cacheWriteTokens: 5,
        outputTokens: 30,
        reasoningTokens: 12,
      }),
    ).toEqual({
      inputTokens: { total: 115, noCache: 10, cacheRead: 100, cacheWrite: 5 },
      outputTokens: { total: 30, text: 18, reasoning: 12 },
      raw: {
        inputTokens: 10,
        cacheReadTokens: 100,
        cacheWriteTokens: 5,
        outputTokens: 30,
        reasoningTokens: 12,
      },
    });
    expect(usageOf({ inputTokens: 4, outputTokens: 2 }).outputTokens).toEqual({
      total: 2,
      text: undefined,
      reasoning: undefined,
    });
    expect(usageOf(undefined).inputTokens.total).toBeUndefined();
  });
});
