/**
 * The fault soak's checker against the real mock: a whole answer in either dialect, streamed or
 * not, is complete; each way an answer can go wrong is caught as what it is (a typed error, a
 * broken answer, an altered one). A checker that passed a cut answer would make the soak's
 * "0 altered" worthless.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge } from '../../bench/soak/check.ts';
import { readAnswer } from '../../bench/soak/read-answer.ts';
import { type SoakRequest, soakRequest } from '../../bench/soak/requests.ts';
import { expectedScenario, MODELS, SEED } from '../../bench/soak/scenario.ts';
import {
  expectedAnswer,
  FAULT_HEADER,
  type MockProvider,
  startMockProvider,
} from '../../src/testing/index.ts';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider({ scenario: expectedScenario() as never, seed: SEED });
});
afterAll(async () => {
  await mock.close();
});

/** The soak's call `index` sent straight to the mock's model of the same dialect. */
async function send(req: SoakRequest, fault?: string) {
  const model = req.dialect === 'anthropic' ? MODELS.anthropic : MODELS.openai;
  const body = { ...req.body, model };
  const res = await fetch(
    `${mock.url}${req.dialect === 'anthropic' ? '/v1/messages' : '/v1/chat/completions'}`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'k',
        'anthropic-version': '2023-06-01',
        ...(fault ? { [FAULT_HEADER]: fault } : {}),
      },
      body: JSON.stringify(body),
    },
  );
  const received = await readAnswer(req.dialect, req.stream, res);
  const expected = expectedAnswer(
    { format: req.dialect, body },
    { seed: SEED, scenario: expectedScenario() as never },
  );
  return { received, expected };
}

/** The first soak call of each shape (dialect × streamed × text or tool). */
function shapes(): SoakRequest[] {
  const found = new Map<string, SoakRequest>();
  for (let i = 0; found.size < 8 && i < 1000; i++) {
    const r = soakRequest(i);
    found.set(`${r.dialect} ${r.stream} ${r.kind}`, found.get(`${r.dialect} ${r.stream} ${r.kind}`) ?? r);
  }
  return [...found.values()];
}

describe('the soak checker', () => {
  it('finds every shape of call complete when the mock answers it whole', async () => {
    const all = shapes();
    expect(all).toHaveLength(8);
    for (const req of all) {
      const { received, expected } = await send(req);
      expect(judge(req.dialect, received, expected), `${req.dialect} ${req.stream} ${req.kind}`).toEqual({
        verdict: 'complete',
      });
      if (req.kind === 'tool') expect(received.toolCalls).toHaveLength(1);
    }
  });

  it('calls a cut stream or body broken, and an error status or event typed', async () => {
    for (const req of shapes().filter((r) => r.kind === 'text')) {
      const label = `${req.dialect} ${req.stream}`;
      const cut = await send(req, 'cut after=5');
      expect(judge(req.dialect, cut.received, cut.expected).verdict, label).toBe('untyped_failure');
      const overloaded = await send(req, '529');
      expect(judge(req.dialect, overloaded.received, overloaded.expected), label).toMatchObject({
        verdict: 'typed_error',
      });
      if (req.stream) {
        const inBand = await send(req, 'error_event at=3 error=overloaded');
        const j = judge(req.dialect, inBand.received, inBand.expected);
        expect(j.verdict, label).toBe('typed_error');
        expect(j.detail).toContain('(in stream)');
        expect(inBand.received.text.length).toBeGreaterThan(0);
      }
    }
  });

  it('calls an Anthropic stream without message_stop broken, though its text is whole', async () => {
    const req = shapes().find((r) => r.dialect === 'anthropic' && r.stream && r.kind === 'text')!;
    const { received, expected } = await send(req, 'no_terminal');
    expect(received.text).toBe(expected.text);
    expect(judge('anthropic', received, expected)).toMatchObject({ verdict: 'untyped_failure' });
    expect(received.problem).toContain('message_stop');
  });

  it('calls a whole answer judged against another call altered, and says where they part', async () => {
    const [a, b] = shapes()
      .filter((r) => r.dialect === 'openai' && !r.stream && r.kind === 'text')
      .concat(shapes().filter((r) => r.dialect === 'openai' && r.stream && r.kind === 'text'));
    const first = await send(a!);
    const second = await send(b!);
    const j = judge('openai', first.received, second.expected);
    expect(j.verdict).toBe('altered');
    expect(j.detail).toMatch(/^text at char \d+/);
    // A truncated success: the same answer with its last word gone.
    const truncated = { ...first.received, text: first.received.text.replace(/\s\S+$/, '') };
    expect(judge('openai', truncated, first.expected).verdict).toBe('altered');
    // Wrong text before an error is altered too, not a typed error.
    const wrongThenError = {
      ...second.received,
      outcome: 'typed_error' as const,
      text: `${first.received.text.slice(0, 20)}`,
    };
    expect(judge('openai', wrongThenError, second.expected).verdict).toBe('altered');
  });

  it('calls a tool call with other arguments altered', async () => {
    const req = shapes().find((r) => r.dialect === 'anthropic' && !r.stream && r.kind === 'tool')!;
    const { received, expected } = await send(req);
    const call = received.toolCalls[0]!;
    const changed = { ...received, toolCalls: [{ ...call, input: { ...(call.input as object), days: 99 } }] };
    expect(judge('anthropic', changed, expected)).toMatchObject({ verdict: 'altered' });
    expect(judge('anthropic', received, expected)).toEqual({ verdict: 'complete' });
  });
});
