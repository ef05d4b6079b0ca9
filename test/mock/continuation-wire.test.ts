/**
 * Every continuation behaviour over the wire, in each dialect, streamed and not, for an
 * assistant prefill and for a "continue" user turn; scripted by header and by scenario.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockProvider, PREFILL_REJECTED_MESSAGE, startMockProvider } from '../../src/testing/index.ts';
import { bodyOf, call, DIALECTS, type Dialect, type Turn } from './dialects.ts';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider({
    seed: 21,
    models: {
      long: { answerTokens: 80 },
      restarter: { answerTokens: 80, continuation: 'full_restart on=continue; prefill_ignored' },
    },
  });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

const CONTINUE = 'Your previous answer was cut off. Continue it exactly where it stopped.';
const question: Turn = { role: 'user', text: 'Tell me about circuit breakers.' };
type Mode = 'prefill' | 'continue';
const turnsFor = (mode: Mode, partial: string): Turn[] =>
  mode === 'prefill'
    ? [question, { role: 'assistant', text: partial }]
    : [question, { role: 'assistant', text: partial }, { role: 'user', text: CONTINUE }];

const fullFor = (dialect: Dialect, model = 'long') =>
  mock.expectedAnswer({
    format: dialect,
    body: bodyOf(dialect, model, [question], { stream: false }),
    ...(dialect === 'gemini' ? { model } : {}),
  }).text;

interface Case {
  spec: string;
  modes: Mode[];
  /** The text that must arrive, from the full answer and the partial. */
  check(text: string, ctx: { mode: Mode; full: string; partial: string }): void;
}

const CASES: Case[] = [
  {
    spec: 'exact',
    modes: ['prefill', 'continue'],
    check: (text, { mode, full, partial }) =>
      expect(mode === 'prefill' ? partial + text : `${partial} ${text}`).toBe(full),
  },
  {
    spec: 'overlap chars=30',
    modes: ['prefill', 'continue'],
    check: (text, { full, partial }) => {
      expect(full.endsWith(text)).toBe(true);
      expect(text.length).toBeGreaterThanOrEqual(full.length - partial.length + 30);
    },
  },
  {
    spec: 'sentence_restart',
    modes: ['prefill', 'continue'],
    check: (text, { full, partial }) => {
      expect(full.endsWith(text)).toBe(true);
      expect(text.trimStart()).toMatch(/^[A-Z]/);
      expect(text.length).toBeGreaterThan(full.length - partial.length);
    },
  },
  {
    spec: 'full_restart',
    modes: ['prefill', 'continue'],
    check: (text, { full }) => expect(text).toBe(full),
  },
  {
    spec: 'preamble',
    modes: ['prefill', 'continue'],
    check: (text, { full, partial }) => {
      expect(text.trimStart().startsWith('Sure, continuing from where I left off:\n\n')).toBe(true);
      expect(text.endsWith(full.slice(partial.length + 1))).toBe(true);
    },
  },
  {
    spec: 'paraphrase',
    modes: ['prefill', 'continue'],
    check: (text, { full, partial }) => {
      expect(text.endsWith(full.slice(partial.length))).toBe(true);
      expect(text).not.toContain(partial.slice(-16));
      expect(text.startsWith(partial.slice(0, 16))).toBe(false);
    },
  },
  {
    spec: 'different',
    modes: ['prefill', 'continue'],
    check: (text, { full, partial }) => {
      expect(text).toMatch(/^[A-Z].*\.$/);
      expect(full).not.toContain(text.slice(0, 24));
      expect(text).not.toContain(partial.slice(-16));
    },
  },
  { spec: 'prefill_ignored', modes: ['prefill'], check: (text, { full }) => expect(text).toBe(full) },
  { spec: 'empty', modes: ['prefill', 'continue'], check: (text) => expect(text).toBe('') },
  {
    spec: 'echo chars=20',
    modes: ['prefill', 'continue'],
    check: (text, { partial }) => {
      expect(partial.endsWith(text)).toBe(true);
      expect(text.length).toBeGreaterThanOrEqual(20);
    },
  },
];

describe.each(DIALECTS)('%s: continuation behaviours on the wire', (dialect) => {
  it('answers the original question with the expected answer', async () => {
    for (const stream of [false, true]) {
      const got = await call(mock.url, dialect, 'long', [question], { stream });
      expect(got.text).toBe(fullFor(dialect));
    }
    expect(fullFor(dialect).split(' ')).toHaveLength(80);
  });

  it.each(CASES)('$spec', async ({ spec, modes, check }) => {
    const full = fullFor(dialect);
    for (const words of [10, 40]) {
      const partial = full.split(' ').slice(0, words).join(' ');
      for (const mode of modes)
        for (const stream of [false, true]) {
          const got = await call(mock.url, dialect, 'long', turnsFor(mode, partial), {
            stream,
            headers: { 'x-mock-continuation': spec },
          });
          expect(got.status).toBe(200);
          check(got.text, { mode, full, partial });
          expect(got.stop).toBe(
            dialect === 'anthropic' ? 'end_turn' : dialect === 'openai' ? 'stop' : 'STOP',
          );
          expect(mock.log().at(-1)).toMatchObject({
            continuation: mode,
            continuationBehaviour: spec,
            stream,
          });
        }
    }
  });

  it('prefill_rejected: the prefill gets the 400; a continue turn is answered', async () => {
    const partial = fullFor(dialect).split(' ').slice(0, 10).join(' ');
    for (const stream of [false, true]) {
      const got = await call(mock.url, dialect, 'long', turnsFor('prefill', partial), {
        stream,
        headers: { 'x-mock-continuation': 'prefill_rejected' },
      });
      expect(got.status).toBe(400);
      expect(JSON.stringify(got.error)).toContain(PREFILL_REJECTED_MESSAGE);
      const next = await call(mock.url, dialect, 'long', turnsFor('continue', partial), {
        stream,
        headers: { 'x-mock-continuation': 'prefill_rejected' },
      });
      expect(next.status).toBe(200);
    }
    expect(mock.log().map((e) => e.continuationBehaviour)).toEqual([
      'prefill_rejected',
      'overlap',
      'prefill_rejected',
      'overlap',
    ]);
  });

  it('asked to continue a complete answer: empty, its last sentence, or a note', async () => {
    const full = fullFor(dialect);
    const last = full.slice(full.lastIndexOf('.', full.length - 2) + 2);
    for (const stream of [false, true]) {
      const ask = (mode: Mode, spec?: string) =>
        call(mock.url, dialect, 'long', turnsFor(mode, full), {
          stream,
          ...(spec ? { headers: { 'x-mock-continuation': spec } } : {}),
        });
      expect((await ask('prefill')).text).toBe('');
      expect((await ask('continue', 'complete_empty')).text).toBe('');
      expect((await ask('continue', 'complete_repeat')).text).toBe(last);
      expect((await ask('prefill', 'complete_repeat')).text).toBe(` ${last}`);
      expect((await ask('continue', 'complete_note')).text).toBe('That was the end of my answer.');
      expect((await ask('continue', 'complete_note text=Nothing+more+to+add.')).text).toBe(
        'Nothing more to add.',
      );
      const fresh = await ask('continue');
      expect(fresh.text.length).toBeGreaterThan(0);
      expect(full).not.toContain(fresh.text.slice(0, 24));
    }
    expect(
      mock
        .log()
        .map((e) => e.continuationBehaviour)
        .slice(0, 7),
    ).toEqual([
      'complete_empty',
      'complete_empty',
      'complete_repeat',
      'complete_repeat',
      'complete_note',
      'complete_note text=Nothing+more+to+add.',
      'complete_new_turn',
    ]);
  });

  it('takes the behaviour from the scenario, per model and per mode', async () => {
    const full = fullFor(dialect, 'restarter');
    const partial = full.split(' ').slice(0, 40).join(' ');
    for (const stream of [false, true]) {
      const restarted = await call(mock.url, dialect, 'restarter', turnsFor('continue', partial), { stream });
      expect(restarted.text).toBe(full);
      const ignored = await call(mock.url, dialect, 'restarter', turnsFor('prefill', partial), { stream });
      expect(ignored.text).toBe(full);
      // the header wins for the mode it names
      const exact = await call(mock.url, dialect, 'restarter', turnsFor('prefill', partial), {
        stream,
        headers: { 'x-mock-continuation': 'exact' },
      });
      expect(partial + exact.text).toBe(full);
    }
    expect(
      mock
        .log()
        .map((e) => e.continuationBehaviour)
        .slice(0, 3),
    ).toEqual(['full_restart', 'prefill_ignored', 'exact']);
  });
});

describe.each(DIALECTS)('%s: anchor', (dialect) => {
  it('repeats the quoted anchor, then goes on', async () => {
    const full = fullFor(dialect);
    const partial = full.split(' ').slice(0, 40).join(' ');
    const anchor = partial.split(' ').slice(-5).join(' ');
    for (const stream of [false, true]) {
      const got = await call(
        mock.url,
        dialect,
        'long',
        [
          question,
          { role: 'assistant', text: partial },
          {
            role: 'user',
            text: `Your answer was cut off. Start by repeating "${anchor}" verbatim, then continue.`,
          },
        ],
        { stream, headers: { 'x-mock-continuation': 'anchor' } },
      );
      expect(got.text).toBe(full.slice(partial.length - anchor.length));
    }
  });
});

describe.each(DIALECTS)('%s: an answer to a caller’s own prefill, cut and continued', (dialect) => {
  it('gets the rest of that answer, the caller’s prefill and the partial sent as one turn', async () => {
    const callerPrefill = 'Here is my take:';
    const asked: Turn[] = [question, { role: 'assistant', text: callerPrefill }];
    const answer = mock.expectedAnswer({
      format: dialect,
      body: bodyOf(dialect, 'long', asked, { stream: false }),
      ...(dialect === 'gemini' ? { model: 'long' } : {}),
    }).text;
    const cut = await call(mock.url, dialect, 'long', asked, {
      stream: true,
      headers: { 'x-mock-fault': 'cut after=15' },
    });
    expect(cut.cut).toBe(true);
    expect(answer.startsWith(cut.text)).toBe(true);
    const rest = await call(
      mock.url,
      dialect,
      'long',
      [question, { role: 'assistant', text: callerPrefill + cut.text }],
      {
        stream: true,
      },
    );
    expect(cut.text + rest.text).toBe(answer);
    expect(mock.log().at(-1)).toMatchObject({ continuationMatched: true, continuationBehaviour: 'exact' });
  });
});

describe.each(DIALECTS)('%s: behaviours in turn', (dialect) => {
  it('paraphrases the first continuation and continues the next ones exactly, counted per shape', async () => {
    const full = fullFor(dialect);
    const partial = full.split(' ').slice(0, 30).join(' ');
    const headers = { 'x-mock-continuation': 'paraphrase times=1; exact' };
    const texts: string[] = [];
    for (const mode of ['prefill', 'prefill', 'continue', 'continue'] as const)
      texts.push(
        (await call(mock.url, dialect, 'long', turnsFor(mode, partial), { stream: true, headers })).text,
      );
    expect(texts[0]).not.toContain(partial.slice(-16));
    expect(partial + texts[1]).toBe(full);
    expect(texts[2]).not.toContain(partial.slice(-16));
    expect(`${partial} ${texts[3]}`).toBe(full);
    expect(mock.log().map((e) => e.continuationBehaviour)).toEqual([
      'paraphrase',
      'exact',
      'paraphrase',
      'exact',
    ]);
    mock.reset();
    await call(mock.url, dialect, 'long', turnsFor('prefill', partial), { stream: false, headers });
    expect(mock.log()[0]?.continuationBehaviour).toBe('paraphrase');
  });
});

describe('a bad x-mock-continuation header', () => {
  it('gets the provider 400 naming the problem', async () => {
    const got = await call(mock.url, 'openai', 'long', [question], {
      stream: false,
      headers: { 'x-mock-continuation': 'teleport' },
    });
    expect(got.status).toBe(400);
    expect(JSON.stringify(got.error)).toContain('x-mock-continuation: invalid continuation \\"teleport\\"');
  });
});
