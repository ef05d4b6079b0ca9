import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import type { StreamPart } from '../canonical/index.ts';
import type { StreamDecoder } from '../codec.ts';
import { readFixture, sseData } from './fixtures.ts';
import { createOpenaiStreamDecoder, createOpenaiStreamEncoder, openaiCodec } from './index.ts';

function decodeAll(data: string[], decoder: StreamDecoder = openaiCodec.createStreamDecoder()): StreamPart[] {
  const parts: StreamPart[] = [];
  for (const d of data) parts.push(...decoder.push({ data: d }));
  parts.push(...decoder.end());
  return parts;
}

/** Parsed events, without what canonical parts do not carry (fingerprint) or what is noise (`usage: null`). */
function normalise(data: string[]): unknown[] {
  return data.map((d) => {
    if (d === '[DONE]') return d;
    const json = JSON.parse(d) as Record<string, unknown>;
    delete json.system_fingerprint;
    if (json.usage === null) delete json.usage;
    return json;
  });
}

function firstChunk(data: string[]): { model: string; created: number } {
  return JSON.parse(data[0]!) as { model: string; created: number };
}

describe('openai SSE → parts → SSE', () => {
  it.each([
    'stream.text_with_usage.sse',
    'stream.parallel_tool_calls.sse',
    'stream.text_then_tool_call.sse',
    'stream.length_without_usage.sse',
    'stream.content_filter.sse',
    'stream.reasoning_content.sse',
  ])('%s reproduces its events', (name) => {
    const data = sseData(readFixture(name));
    const parts = decodeAll(data);
    const { model, created } = firstChunk(data);
    const includeUsage = data.some((d) => d !== '[DONE]' && (JSON.parse(d) as { usage?: unknown }).usage);
    const encoder = createOpenaiStreamEncoder({ model, includeUsage, created });
    const text = parts.map((p) => encoder.encode(p)).join('') + encoder.end();
    expect(text).not.toMatch(/^event:/m);
    expect(normalise(sseData(text))).toEqual(normalise(data));
  });
});

describe('openai stream decoder', () => {
  it('synthesises blocks: text, then one tool_use block per call index, with usage on message_delta', () => {
    const parts = decodeAll(sseData(readFixture('stream.text_then_tool_call.sse')));
    expect(parts).toEqual([
      { type: 'message_start', id: 'chatcmpl-tt1', model: 'gpt-4.1' },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'block_delta', index: 0, delta: { type: 'text', text: 'Checking the weather.' } },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_use', id: 'call_w1', name: 'get_weather' } },
      { type: 'block_delta', index: 1, delta: { type: 'tool_input', partialJson: '{"location":' } },
      { type: 'block_delta', index: 1, delta: { type: 'tool_input', partialJson: '"Oslo"}' } },
      { type: 'block_stop', index: 1 },
      {
        type: 'message_delta',
        stopReason: 'tool_use',
        usage: { inputTokens: 52, outputTokens: 50, cacheReadTokens: 2048, reasoningTokens: 12 },
      },
      { type: 'message_stop' },
    ]);
  });

  it('two parallel calls (compact form: id and arguments in one fragment) become two tool_use blocks, the first closed when the second opens', () => {
    const parts = decodeAll(sseData(readFixture('stream.parallel_tool_calls_compact.sse')));
    const shape = parts.map((p) => `${p.type}${'index' in p ? p.index : ''}`);
    expect(shape).toEqual([
      'message_start',
      'block_start0',
      'block_delta0',
      'block_delta0',
      'block_stop0',
      'block_start1',
      'block_delta1',
      'block_stop1',
      'message_delta',
      'message_stop',
    ]);
  });

  it('is complete once the finish reason and the usage arrived, before [DONE]', () => {
    const decoder = openaiCodec.createStreamDecoder();
    const data = sseData(readFixture('stream.no_done.sse'));
    for (const d of data.slice(0, -1)) decoder.push({ data: d });
    expect(decoder.complete).toBe(false);
    const last = decoder.push({ data: data.at(-1)! });
    expect(decoder.complete).toBe(true);
    expect(last.map((p) => p.type)).toEqual(['message_delta', 'message_stop']);
    expect(decoder.end()).toEqual([]);
  });

  it('is complete at the finish reason when usage was not asked, and at [DONE] in any case', () => {
    const data = sseData(readFixture('stream.length_without_usage.sse'));
    const noUsage = createOpenaiStreamDecoder({ expectUsage: false });
    for (const d of data.slice(0, 3)) noUsage.push({ data: d });
    expect(noUsage.complete).toBe(true);
    const asked = openaiCodec.createStreamDecoder();
    const parts = decodeAll(data, asked);
    expect(asked.complete).toBe(true);
    expect(parts.at(-2)).toEqual({ type: 'message_delta', stopReason: 'max_tokens' });
  });

  it('closes a stream that had its finish reason but neither usage nor [DONE] at end()', () => {
    const decoder = openaiCodec.createStreamDecoder();
    const data = sseData(readFixture('stream.length_without_usage.sse')).slice(0, 3);
    for (const d of data) decoder.push({ data: d });
    expect(decoder.complete).toBe(false);
    expect(decoder.end().map((p) => p.type)).toEqual(['message_delta', 'message_stop']);
  });

  it('throws stream_interrupted at end() when the body was cut, saying what arrived', () => {
    const decoder = openaiCodec.createStreamDecoder();
    for (const d of sseData(readFixture('stream.cut.sse'))) decoder.push({ data: d });
    expect(decoder.complete).toBe(false);
    let error: unknown;
    try {
      decoder.end();
    } catch (e) {
      error = e;
    }
    expect(OutlastError.isInstance(error)).toBe(true);
    expect((error as OutlastError).kind).toBe('stream_interrupted');
    expect((error as OutlastError).message).toMatch(/2 chunks \(13 characters of text, 0 tool calls\)/);
  });

  it('throws invalid_response on a malformed chunk and goes on with the next one', () => {
    const decoder = openaiCodec.createStreamDecoder();
    const texts: string[] = [];
    let skipped = 0;
    for (const d of sseData(readFixture('stream.malformed_chunk.sse'))) {
      try {
        for (const p of decoder.push({ data: d })) {
          if (p.type === 'block_delta' && p.delta.type === 'text') texts.push(p.delta.text);
        }
      } catch (error) {
        expect((error as OutlastError).kind).toBe('invalid_response');
        skipped++;
      }
    }
    expect(skipped).toBe(1);
    expect(texts.join('')).toBe('Hello world');
    expect(decoder.complete).toBe(true);
    expect(() => decoder.push({ data: '{"choices":"nope"}' })).not.toThrow(); // after [DONE]: ignored
    const fresh = openaiCodec.createStreamDecoder();
    expect(() => fresh.push({ data: '{"choices":"nope"}' })).toThrow(/wrong shape/);
  });

  it('turns an error chunk into an error part classified from its type', () => {
    const decoder = openaiCodec.createStreamDecoder();
    const data = sseData(readFixture('stream.midstream_error.sse'));
    expect(decoder.push({ data: data[0]! }).map((p) => p.type)).toEqual([
      'message_start',
      'block_start',
      'block_delta',
    ]);
    const [part] = decoder.push({ data: data[1]! });
    expect(part?.type).toBe('error');
    const error = (part as { error: OutlastError }).error;
    expect(error.kind).toBe('server');
    expect(error.providerType).toBe('server_error');
    expect(error.providerMessage).toMatch(/server had an error/);
    const overloaded = openaiCodec
      .createStreamDecoder()
      .push({ data: '{"error":{"message":"x","type":"rate_limit_exceeded","param":null,"code":null}}' });
    expect((overloaded[0] as { error: OutlastError }).error.kind).toBe('rate_limited');
  });

  it('ignores pings and comments that reach it as empty data', () => {
    expect(openaiCodec.createStreamDecoder().push({ data: '' })).toEqual([]);
  });
});

describe('openai stream encoder', () => {
  const start: StreamPart = {
    type: 'message_start',
    id: 'msg_1',
    model: 'claude',
    usage: { inputTokens: 10 },
  };

  it('ends a salvaged (truncated) answer with finish_reason length, never stop', () => {
    const encoder = openaiCodec.createStreamEncoder({ model: 'm', includeUsage: true });
    const text = [
      start,
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'block_delta', index: 0, delta: { type: 'text', text: 'Half an ans' } },
      { type: 'message_stop', truncated: true },
    ]
      .map((p) => encoder.encode(p as StreamPart))
      .join('');
    const chunks = sseData(text).map(
      (d) => JSON.parse(d) as { choices: Array<{ finish_reason: string | null }> },
    );
    expect(chunks.map((c) => c.choices[0]?.finish_reason ?? null)).toEqual([null, null, 'length', null]);
  });

  it('sends an error frame after a failure and no [DONE] that would make it look whole', () => {
    const encoder = openaiCodec.createStreamEncoder({ model: 'm' });
    encoder.encode(start);
    const frame = encoder.encode({
      type: 'error',
      error: new OutlastError({ kind: 'overloaded', message: 'upstream 529', providerMessage: 'Overloaded' }),
    });
    expect(JSON.parse(sseData(frame)[0]!)).toEqual({
      error: { message: 'Overloaded', type: 'server_error', param: null, code: 'overloaded' },
    });
    expect(encoder.end()).toBe('');
    expect(encoder.keepAlive()).toMatch(/^:/);
  });

  it('frames each token byte for byte as JSON.stringify of the whole chunk would, with and without usage', () => {
    const texts = [
      'Hello',
      ' "quoted" \\ back',
      'line\nbreak\ttab',
      'é 日本 🙂',
      '\u2028\u2029',
      '\ud800 lone',
      '</script>',
    ];
    for (const includeUsage of [false, true]) {
      const encoder = createOpenaiStreamEncoder({ model: 'm "x"', includeUsage, created: 7 });
      encoder.encode(start);
      encoder.encode({ type: 'block_start', index: 0, block: { type: 'text' } });
      for (const [i, text] of texts.entries()) {
        const delta = i % 2 === 0 ? { content: text } : { reasoning_content: text };
        const part: StreamPart =
          'content' in delta
            ? { type: 'block_delta', index: 0, delta: { type: 'text', text } }
            : { type: 'block_delta', index: 0, delta: { type: 'thinking', thinking: text } };
        const chunk = {
          id: 'msg_1',
          object: 'chat.completion.chunk',
          created: 7,
          model: 'm "x"',
          choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
          ...(includeUsage ? { usage: null } : {}),
        };
        expect(encoder.encode(part)).toBe(`data: ${JSON.stringify(chunk)}\n\n`);
      }
    }
  });

  it('maps an Anthropic-style stream: role first, tool call fragments with index, usage chunk, [DONE]', () => {
    const encoder = createOpenaiStreamEncoder({ model: 'm', includeUsage: true, created: 1 });
    const parts: StreamPart[] = [
      start,
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'block_delta', index: 0, delta: { type: 'thinking', thinking: 'hmm' } },
      { type: 'block_delta', index: 0, delta: { type: 'signature', signature: 'sig' } },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_use', id: 'toolu_1', name: 'f' } },
      { type: 'block_delta', index: 1, delta: { type: 'tool_input', partialJson: '' } },
      { type: 'block_delta', index: 1, delta: { type: 'tool_input', partialJson: '{"a":1}' } },
      { type: 'block_stop', index: 1 },
      { type: 'message_delta', stopReason: 'tool_use', usage: { outputTokens: 7 } },
      { type: 'message_stop' },
    ];
    const data = sseData(parts.map((p) => encoder.encode(p)).join('') + encoder.end());
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Record<string, unknown>);
    expect(chunks.map((c) => (c.choices as Array<{ delta: unknown }>)[0]?.delta ?? c.usage)).toEqual([
      { role: 'assistant', reasoning_content: 'hmm' },
      { tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] },
      {},
      { prompt_tokens: 10, completion_tokens: 7, total_tokens: 17 },
    ]);
    expect(chunks[3]).toMatchObject({ choices: [{ finish_reason: 'tool_calls' }], usage: null });
    expect(
      chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === 'msg_1' && c.model === 'm'),
    ).toBe(true);
  });
});

describe('openai stream decoder on compatible servers', () => {
  const chunk = (delta: unknown, finish: string | null = null) =>
    JSON.stringify({ id: 'c1', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });

  it('copes with tool calls sent whole, without index, and one without an id', () => {
    const decoder = createOpenaiStreamDecoder({ expectUsage: false });
    const parts = [
      chunk({
        role: 'assistant',
        tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }],
      }),
      chunk({ tool_calls: [{ type: 'function', function: { name: 'g', arguments: '{"x":' } }] }),
      chunk({ tool_calls: [{ function: { arguments: '1}' } }] }),
      chunk({}, 'tool_calls'),
    ].flatMap((data) => decoder.push({ data }));
    expect(parts.filter((p) => p.type === 'block_start')).toEqual([
      { type: 'block_start', index: 0, block: { type: 'tool_use', id: 'a', name: 'f' } },
      { type: 'block_start', index: 1, block: { type: 'tool_use', id: 'call_c1_1', name: 'g' } },
    ]);
    const args = parts.flatMap((p) =>
      p.type === 'block_delta' && p.delta.type === 'tool_input' && p.index === 1 ? [p.delta.partialJson] : [],
    );
    expect(args.join('')).toBe('{"x":1}');
    expect(decoder.complete).toBe(true);
  });

  it('ignores chunks after the answer closed', () => {
    const decoder = createOpenaiStreamDecoder({ expectUsage: false });
    decoder.push({ data: chunk({ content: 'hi' }) });
    decoder.push({ data: chunk({}, 'stop') });
    expect(decoder.push({ data: chunk({ content: 'late' }) })).toEqual([]);
  });
});
