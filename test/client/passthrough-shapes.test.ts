/**
 * The library relays what it cannot translate the way the gateway does: `client.responses.create()`
 * towards an `openai` provider with `responses: true` gets the upstream's own Response and events
 * (so `previous_response_id` chains), and `chat.completions.create()` with `n > 1` yields the
 * upstream's own chunks; a route with no target that can take them fails as bad_request.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type OutlastClient } from '../../src/client/index.ts';
import { OutlastError } from '../../src/errors/index.ts';
import type { MockProvider } from '../../src/testing/index.ts';
import { FAST, providersFor, startMock } from '../engine/support/harness.ts';

let mock: MockProvider;
let client: OutlastClient | undefined;
beforeAll(async () => {
  mock = await startMock();
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  mock.reset();
});
afterAll(async () => {
  await mock.close();
});

function make(): OutlastClient {
  const providers = providersFor(mock);
  client = createClient({
    providers: { ...providers, oai: { ...providers.openai, responses: true } },
    routes: {
      direct: ['oai/gpt-4.1'],
      mixed: ['anthropic/claude-sonnet-4-5', 'oai/gpt-4.1'],
      claude: ['anthropic/claude-sonnet-4-5'],
    },
    ...FAST,
  });
  return client;
}

describe('library passthrough', () => {
  it('responses.create: the upstream’s Response, chained with previous_response_id, streamed and not', async () => {
    const c = make();
    const first = await c.responses.create({ model: 'direct', input: 'Remember teal.' });
    expect(first.id).toMatch(/^resp_/);
    const second = await c.responses.create({
      model: 'mixed',
      input: 'Which colour?',
      previous_response_id: first.id,
    });
    expect((second as unknown as { previous_response_id: string }).previous_response_id).toBe(first.id);
    const stream = await c.responses.create({
      model: 'mixed',
      input: 'And?',
      previous_response_id: second.id,
      stream: true,
    });
    const events: Array<{ type: string; sequence_number?: number }> = [];
    for await (const event of stream) events.push(event as (typeof events)[number]);
    expect(events[0]?.type).toBe('response.created');
    expect(events.at(-1)?.type).toBe('response.completed');
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    // The Anthropic target was skipped each time: only the Responses API was asked.
    expect(new Set(mock.log().map((e) => e.path))).toEqual(new Set(['/v1/responses']));
    const refused = await c.responses
      .create({ model: 'claude', input: 'x', previous_response_id: first.id })
      .catch((e: unknown) => e);
    expect(OutlastError.isInstance(refused) && refused.kind).toBe('bad_request');
    expect((refused as Error).message).toContain('previous_response_id');
  });

  it('chat.completions.create with n: 2 yields the upstream’s own chunks', async () => {
    const c = make();
    const stream = await c.chat.completions.create({
      model: 'mixed',
      messages: [{ role: 'user', content: 'hi' }],
      n: 2,
      stream: true,
    });
    const ids = new Set<string>();
    let text = '';
    for await (const chunk of stream) {
      ids.add(chunk.id);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text.length).toBeGreaterThan(0);
    expect(ids.size).toBe(1);
    const sent = mock.log().at(-1);
    expect(sent?.path).toBe('/v1/chat/completions');
    const refused = await c.chat.completions
      .create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }], n: 2 })
      .catch((e: unknown) => e);
    expect(OutlastError.isInstance(refused) && refused.kind).toBe('bad_request');
  });

  it('a stored response the Responses API does not know: its own 400 leads the error', async () => {
    const c = make();
    const error = await c.responses
      .create({ model: 'mixed', input: 'x', previous_response_id: 'resp_unknown' })
      .catch((e: unknown) => e);
    expect(OutlastError.isInstance(error) && error.kind).toBe('bad_request');
    const message = (error as Error).message;
    expect(message.startsWith('upstream oai/gpt-4.1 answered')).toBe(true);
    expect(message).toContain("Previous response with id 'resp_unknown' not found");
    expect(message).toContain('anthropic/claude-sonnet-4-5 could not take it');
  });
});
