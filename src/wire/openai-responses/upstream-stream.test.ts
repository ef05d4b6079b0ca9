import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import type { StreamPart } from '../canonical/index.ts';
import { createResponsesEventBuilder } from './stream-events.ts';
import { createResponsesUpstreamDecoder } from './upstream-stream.ts';

const frame = (event: Record<string, unknown>, n: number) => ({
  event: String(event.type),
  data: JSON.stringify({ ...event, sequence_number: n }),
});
const shell = { id: 'resp_1', object: 'response', model: 'gpt-x', status: 'in_progress', output: [] };
const STREAM = [
  { type: 'response.created', response: shell },
  { type: 'response.output_item.added', output_index: 0, item: { id: 'ws_1', type: 'web_search_call' } },
  { type: 'response.web_search_call.searching', output_index: 0, item_id: 'ws_1' },
  {
    type: 'response.output_item.added',
    output_index: 1,
    item: { id: 'msg_1', type: 'message', content: [] },
  },
  { type: 'response.content_part.added', output_index: 1, content_index: 0, part: { type: 'output_text' } },
  { type: 'response.output_text.delta', output_index: 1, content_index: 0, delta: 'Hi.' },
  { type: 'response.content_part.done', output_index: 1, content_index: 0 },
  {
    type: 'response.output_item.added',
    output_index: 2,
    item: { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'f', arguments: '' },
  },
  { type: 'response.function_call_arguments.delta', output_index: 2, delta: '{"a":1}' },
  { type: 'response.output_item.done', output_index: 2, item: { id: 'fc_1', type: 'function_call' } },
  {
    type: 'response.completed',
    response: {
      ...shell,
      status: 'completed',
      usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 5 },
    },
  },
].map(frame);

const canonical = (parts: StreamPart[]) => parts.filter((p) => p.type !== 'verbatim');

describe('Responses API upstream stream → canonical', () => {
  it('hands on every event first, then what the engine reads of it', () => {
    const decoder = createResponsesUpstreamDecoder();
    const parts = STREAM.flatMap((event) => decoder.push(event));
    expect(parts.filter((p) => p.type === 'verbatim').map((p) => p.type === 'verbatim' && p.data)).toEqual(
      STREAM.map((e) => e.data),
    );
    // A hosted tool's progress keeps the clocks alive; its item has no canonical form.
    expect(parts.find((p) => p.type === 'verbatim' && p.event.includes('searching'))).toMatchObject({
      live: true,
    });
    expect(canonical(parts)).toEqual([
      { type: 'message_start', id: 'resp_1', model: 'gpt-x' },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'block_delta', index: 0, delta: { type: 'text', text: 'Hi.' } },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_use', id: 'call_1', name: 'f' } },
      { type: 'block_delta', index: 1, delta: { type: 'tool_input', partialJson: '{"a":1}' } },
      { type: 'block_stop', index: 1 },
      {
        type: 'message_delta',
        stopReason: 'tool_use',
        usage: { inputTokens: 6, outputTokens: 5, cacheReadTokens: 4 },
      },
      { type: 'message_stop' },
    ]);
    expect(decoder.complete).toBe(true);
    expect(decoder.end()).toEqual([]);
  });

  it('an error event or response.failed is an error part, not relayed; a stream without its end is cut', () => {
    const failed = createResponsesUpstreamDecoder();
    failed.push(STREAM[0]!);
    const parts = failed.push(
      frame({ type: 'error', code: 'server_error', message: 'boom', param: null }, 1),
    );
    expect(parts).toHaveLength(1);
    expect(parts[0]?.type === 'error' && parts[0].error.kind).toBe('server');
    const rateLimited = createResponsesUpstreamDecoder().push(
      frame(
        {
          type: 'response.failed',
          response: { ...shell, error: { code: 'rate_limit_exceeded', message: 'slow down' } },
        },
        0,
      ),
    );
    expect(rateLimited[0]?.type === 'error' && rateLimited[0].error.kind).toBe('rate_limited');
    const cut = createResponsesUpstreamDecoder();
    for (const event of STREAM.slice(0, 6)) cut.push(event);
    expect(() => cut.end()).toThrow(/without response.completed/);
  });

  it('a relayed stream that fails goes on with OpenAI’s error events, numbered after the upstream’s', () => {
    const decoder = createResponsesUpstreamDecoder();
    const builder = createResponsesEventBuilder({} as never, { model: 'gpt-x' });
    const out = STREAM.slice(0, 6)
      .flatMap((event) => decoder.push(event))
      .flatMap((part) => builder.push(part));
    expect(out.map((e) => e.type)).toEqual(STREAM.slice(0, 6).map((e) => e.event));
    const failure = builder.fail(new OutlastError({ kind: 'stream_interrupted', message: 'cut' }));
    expect(failure.map((e) => [e.type, e.sequence_number])).toEqual([
      ['error', 6],
      ['response.failed', 7],
    ]);
    expect(failure[1]?.response).toMatchObject({ id: 'resp_1', status: 'failed' });
    expect(builder.ended).toBe(true);
  });
});
