/**
 * The cuts real upstreams produce, on the wire in each dialect: a stream that loses only its
 * closing events, one cut after its last token before any of them, a tool call streamed in
 * pieces and cut inside its arguments, and faults that strike only continuations.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockProvider, startMockProvider } from '../../src/testing/index.ts';
import { bodyOf, call, DIALECTS, type Dialect, type Turn } from './dialects.ts';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider({
    seed: 8,
    models: { m: { answerTokens: 30 }, claude: { toolPreamble: "I'll look that up." } },
  });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

const question: Turn = { role: 'user', text: 'What is the weather in Paris?' };
const STOP: Record<Dialect, string> = { anthropic: 'end_turn', openai: 'stop', gemini: 'STOP' };
const TOOL_STOP: Record<Dialect, string> = { anthropic: 'tool_use', openai: 'tool_calls', gemini: 'STOP' };
const expected = (dialect: Dialect, model: string, tool = false) =>
  mock.expectedAnswer({
    format: dialect,
    body: bodyOf(dialect, model, [question], { stream: false, tool }),
    ...(dialect === 'gemini' ? { model } : {}),
  });
const fault = (text: string) => ({ headers: { 'x-mock-fault': text } });

describe.each(DIALECTS)('%s: cuts at the end of a stream', (dialect) => {
  it('cut_before_stop: every token, then the socket cut before any closing event', async () => {
    const got = await call(mock.url, dialect, 'm', [question], { stream: true, ...fault('cut_before_stop') });
    expect(got.text).toBe(expected(dialect, 'm').text);
    expect(got).toMatchObject({ stop: undefined, terminal: false, cut: true });
    if (dialect === 'anthropic') expect(got.raw).not.toContain('content_block_stop');
    expect(mock.log()[0]).toMatchObject({ fault: 'cut_before_stop', tokensSent: 30, disconnected: false });
  });

  it('cut_after_stop: the stop reason arrives, then the socket is cut with the terminal lost', async () => {
    const got = await call(mock.url, dialect, 'm', [question], { stream: true, ...fault('cut_after_stop') });
    expect(got.text).toBe(expected(dialect, 'm').text);
    expect(got).toMatchObject({ stop: STOP[dialect], terminal: false, cut: true });
    if (dialect === 'anthropic') expect(got.raw).toContain('event: message_delta');
    if (dialect === 'openai') expect(got.raw).toContain('"usage":{"prompt_tokens"');
    expect(mock.log()[0]).toMatchObject({ fault: 'cut_after_stop', disconnected: false });
  });

  it('no_terminal: the body ends cleanly without the terminal', async () => {
    const got = await call(mock.url, dialect, 'm', [question], { stream: true, ...fault('no_terminal') });
    expect(got.text).toBe(expected(dialect, 'm').text);
    expect(got).toMatchObject({ terminal: false, cut: false });
  });

  it('not streamed: cut_before_stop sends half the body; cut_after_stop all of it', async () => {
    const half = await call(mock.url, dialect, 'm', [question], {
      stream: false,
      ...fault('cut_before_stop'),
    });
    expect(half.cut).toBe(true);
    const whole = await call(mock.url, dialect, 'm', [question], {
      stream: false,
      ...fault('cut_after_stop'),
    });
    expect(whole.text).toBe(expected(dialect, 'm').text);
    expect(whole.stop).toBe(STOP[dialect]);
  });
});

describe('OpenAI: cut_after_stop usage=false', () => {
  it('sends the finish chunk but loses the usage chunk too', async () => {
    const got = await call(mock.url, 'openai', 'm', [question], {
      stream: true,
      ...fault('cut_after_stop usage=false'),
    });
    expect(got).toMatchObject({ stop: 'stop', terminal: false, cut: true });
    expect(got.raw).not.toContain('"prompt_tokens"');
  });
});

describe.each(DIALECTS)('%s: tool calls', (dialect) => {
  it('streams the arguments in pieces (Gemini: whole), after a preamble when scripted', async () => {
    const want = expected(dialect, 'claude', true);
    expect(want.text).toBe("I'll look that up.");
    for (const stream of [false, true]) {
      const got = await call(mock.url, dialect, 'claude', [question], { stream, tool: true });
      expect(got).toMatchObject({
        text: "I'll look that up.",
        toolName: 'get_weather',
        stop: TOOL_STOP[dialect],
      });
      expect(JSON.parse(got.toolPieces.join(''))).toEqual(want.toolCalls[0]!.input);
      const pieces = got.toolPieces.filter((p) => p !== '');
      if (stream && dialect !== 'gemini') expect(pieces.length).toBeGreaterThanOrEqual(4);
      else expect(pieces).toHaveLength(1);
    }
    const plain = await call(mock.url, dialect, 'm', [question], { stream: true, tool: true });
    expect(plain.text).toBe('');
    expect(plain.toolName).toBe('get_weather');
  });

  it('cut_in_tool args=2: the socket is cut inside the call, after two argument pieces', async () => {
    const got = await call(mock.url, dialect, 'claude', [question], {
      stream: true,
      tool: true,
      ...fault('cut_in_tool args=2'),
    });
    expect(got).toMatchObject({ text: "I'll look that up.", stop: undefined, cut: true, terminal: false });
    const pieces = got.toolPieces.filter((p) => p !== '');
    if (dialect === 'gemini') {
      expect(pieces).toEqual([]);
    } else {
      expect(got.toolName).toBe('get_weather');
      expect(pieces).toHaveLength(2);
      expect(() => JSON.parse(pieces.join(''))).toThrow();
    }
    if (dialect === 'anthropic') expect(got.raw.match(/event: content_block_stop/g)).toHaveLength(1);
    expect(mock.log()[0]).toMatchObject({ fault: 'cut_in_tool args=2' });
  });

  it('continues a call cut inside its arguments with the same call, after the preamble', async () => {
    const want = expected(dialect, 'claude', true).toolCalls[0]!;
    const got = await call(
      mock.url,
      dialect,
      'claude',
      [question, { role: 'assistant', text: "I'll look that up." }],
      {
        stream: true,
        tool: true,
      },
    );
    expect(got.text).toBe('');
    expect(JSON.parse(got.toolPieces.join(''))).toEqual(want.input);
    expect(got.stop).toBe(TOOL_STOP[dialect]);
  });

  it('cut_in_tool leaves an answer without a tool call alone', async () => {
    const got = await call(mock.url, dialect, 'm', [question], { stream: true, ...fault('cut_in_tool') });
    expect(got).toMatchObject({ text: expected(dialect, 'm').text, stop: STOP[dialect], cut: false });
  });
});

describe.each(DIALECTS)('%s: faults that strike only continuations or only first attempts', (dialect) => {
  const header = 'cut after=12 on=first; cut after=3 on=continuation';

  it('cuts the first attempt and then its continuation, each where scripted', async () => {
    const full = expected(dialect, 'm').text;
    const first = await call(mock.url, dialect, 'm', [question], { stream: true, ...fault(header) });
    expect(first).toMatchObject({ cut: true, stop: undefined });
    expect(first.text).toBe(full.split(' ').slice(0, 12).join(' '));
    const next = await call(mock.url, dialect, 'm', [question, { role: 'assistant', text: first.text }], {
      stream: true,
      ...fault(header),
    });
    expect(next.cut).toBe(true);
    expect(next.text).toBe(full.slice(first.text.length).split(' ').slice(0, 4).join(' '));
    expect(mock.log().map((e) => [e.fault, e.continuation, e.tokensSent])).toEqual([
      ['cut after=12 on=first', undefined, 12],
      ['cut after=3 on=continuation', 'prefill', 3],
    ]);
  });

  it('makes a continuation meet a 429 with retry-after once, then answers it', async () => {
    const full = expected(dialect, 'm').text;
    const partial = full.split(' ').slice(0, 10).join(' ');
    const turns: Turn[] = [question, { role: 'assistant', text: partial }];
    const spec = fault('429 retry-after=1 on=continuation times=1');
    expect((await call(mock.url, dialect, 'm', [question], { stream: true, ...spec })).text).toBe(full);
    const limited = await call(mock.url, dialect, 'm', turns, { stream: true, ...spec });
    expect(limited.status).toBe(429);
    expect(limited.raw.length).toBeGreaterThan(0);
    const answered = await call(mock.url, dialect, 'm', turns, { stream: true, ...spec });
    expect(partial + answered.text).toBe(full);
    expect(mock.log().map((e) => [e.status, e.fault])).toEqual([
      [200, undefined],
      [429, '429 retry-after=1 on=continuation'],
      [200, undefined],
    ]);
  });

  it('takes on: from a scenario rule: the first continuation meets a 500', async () => {
    mock.setScenario({
      models: { m: { answerTokens: 30, faults: [{ fault: '500', on: 'continuation', times: 1 }] } },
    });
    try {
      const full = expected(dialect, 'm').text;
      const partial = full.split(' ').slice(0, 10).join(' ');
      const continueTurn: Turn[] = [
        question,
        { role: 'assistant', text: partial },
        { role: 'user', text: 'Please continue where you left off.' },
      ];
      expect((await call(mock.url, dialect, 'm', [question], { stream: false })).status).toBe(200);
      expect((await call(mock.url, dialect, 'm', continueTurn, { stream: true })).status).toBe(500);
      expect((await call(mock.url, dialect, 'm', continueTurn, { stream: true })).status).toBe(200);
      expect(mock.log().map((e) => [e.continuation, e.rule])).toEqual([
        [undefined, undefined],
        ['continue', 'models.m.faults[0]'],
        ['continue', undefined],
      ]);
    } finally {
      mock.setScenario({
        models: { m: { answerTokens: 30 }, claude: { toolPreamble: "I'll look that up." } },
      });
    }
  });
});
