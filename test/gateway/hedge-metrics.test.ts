/** A hedged call through the gateway: one answer to the client, and /metrics counts the hedge and its winner. */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait-for.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('gateway hedging', () => {
  it('answers from the hedge when the first target has no first token in time, and counts it in /metrics', async () => {
    harness = await createHarness({
      models: {
        'gpt-4.1': { firstTokenMs: 3000, tokenMs: 1, answerTokens: 10 },
        'claude-sonnet-4-5': { firstTokenMs: 5, tokenMs: 1, answerTokens: 10 },
      },
    });
    const gateway = await harness.start({
      routes: {
        default: {
          targets: ['openai/gpt-4.1', 'anthropic/claude-sonnet-4-5'],
          hedge: { after: 100, maxRatio: 1 },
        },
      },
      timeout: { connect: 500, headers: 4000, firstToken: 4000, idle: 800, total: 8000, deadline: 10_000 },
    });
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'default', messages: [{ role: 'user', content: 'hello' }] })
      .withResponse();
    expect(response.headers.get('x-outlast-model')).toBe('anthropic/claude-sonnet-4-5');
    expect(data.choices[0]?.message.content?.length).toBeGreaterThan(0);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /outlast_hedges_total\{provider="openai",model="gpt-4\.1",to_provider="anthropic",to_model="claude-sonnet-4-5",winner="hedge"\} 1/,
    );
    // The loser's upstream request was aborted.
    const mock = harness.mock;
    await waitFor(() => mock.log().find((e) => e.model === 'gpt-4.1')?.disconnected === true);
    expect(mock.log().find((e) => e.model === 'gpt-4.1')?.tokensSent).toBe(0);
  });
});
