import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import type { StreamPart } from '../canonical/index.ts';
import { responseToParts } from '../canonical/index.ts';
import { parseResponsesRequest } from './parse-request.ts';
import { encodeResponsesResponse } from './response.ts';
import { createResponsesEventBuilder } from './stream-events.ts';

const { echo } = parseResponsesRequest({ model: 'route', input: 'q', instructions: 'sys' });

const answer = {
  id: 'msg_01abc',
  model: 'claude-x',
  content: [
    { type: 'thinking' as const, thinking: 'let me see', signature: 'sig1' },
    { type: 'text' as const, text: 'Calling.' },
    { type: 'tool_use' as const, id: 'toolu_1', name: 'f', input: { a: 1 } },
  ],
  stopReason: 'tool_use' as const,
  usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 2 },
};

function run(parts: StreamPart[]) {
  const builder = createResponsesEventBuilder(echo, { model: 'claude-x', createdAt: 100 });
  return parts.flatMap((p) => builder.push(p));
}

describe('Responses stream events', () => {
  it('give the documented order, sequence numbers and a final snapshot equal to the whole Response', () => {
    const events = run(responseToParts(answer));
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const completed = events.at(-1)!.response as Record<string, unknown>;
    const whole = encodeResponsesResponse(answer, echo, { model: 'claude-x', createdAt: 100 });
    const { completed_at: _a, ...streamed } = completed;
    const { completed_at: _b, ...nonStreamed } = whole;
    expect(streamed).toEqual(nonStreamed);
    expect(whole.output).toEqual([
      {
        id: 'rs_01abc0',
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'let me see' }],
        encrypted_content: 'sig1',
        status: 'completed',
      },
      {
        id: 'msg_01abc1',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Calling.', annotations: [], logprobs: [] }],
      },
      {
        id: 'fc_01abc2',
        type: 'function_call',
        status: 'completed',
        call_id: 'toolu_1',
        name: 'f',
        arguments: '{"a":1}',
      },
    ]);
    expect(whole.usage).toEqual({
      input_tokens: 12,
      input_tokens_details: { cached_tokens: 2, cache_write_tokens: 0 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 17,
    });
    expect(whole).toMatchObject({
      object: 'response',
      status: 'completed',
      instructions: 'sys',
      model: 'claude-x',
    });
  });

  it('end an answer cut at the token limit, or salvaged, with response.incomplete', () => {
    const limited = run(
      responseToParts({ ...answer, content: [{ type: 'text', text: 'a' }], stopReason: 'max_tokens' }),
    );
    expect(limited.at(-1)).toMatchObject({
      type: 'response.incomplete',
      response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
    });
    const salvaged = run([
      { type: 'message_start', id: 'msg_1', model: 'x' },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'block_delta', index: 0, delta: { type: 'text', text: 'part' } },
      { type: 'message_stop', truncated: true },
    ]);
    expect(salvaged.map((e) => e.type).slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.incomplete',
    ]);
  });

  it('fail after the commit point with an error event (SDK-readable) then response.failed', () => {
    const builder = createResponsesEventBuilder(echo, { model: 'x' });
    builder.push({ type: 'message_start', id: 'msg_1', model: 'x' });
    builder.push({ type: 'block_start', index: 0, block: { type: 'text' } });
    builder.push({ type: 'block_delta', index: 0, delta: { type: 'text', text: 'half' } });
    const events = builder.fail(
      new OutlastError({ kind: 'stream_interrupted', message: 'upstream cut the stream after 3 chunks' }),
    );
    expect(events.map((e) => e.type)).toEqual(['error', 'response.failed']);
    expect(events[0]).toMatchObject({
      code: 'stream_interrupted',
      message: 'upstream cut the stream after 3 chunks',
      param: null,
      sequence_number: 5,
      error: { type: 'server_error', code: 'stream_interrupted' },
    });
    expect(events[1]).toMatchObject({
      response: { status: 'failed', error: { code: 'server_error' }, output: [] },
    });
    expect(builder.ended).toBe(true);
    expect(builder.push({ type: 'message_stop' })).toEqual([]);
  });
});
