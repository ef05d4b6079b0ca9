/**
 * serveCall, the one place a model call is served for the gateway and outlast/fetch: the same
 * answer (status, headers, body) whichever entry point writes it, against the real mock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.ts';
import { toOutlastError } from '../../src/errors/index.ts';
import { parseJsonBody, type ServeContext, type ServedAnswer, serveCall } from '../../src/serve/index.ts';
import { type MockProvider, startMockProvider } from '../../src/testing/index.ts';
import { anthropicCodec, openaiCodec } from '../../src/wire/index.ts';
import { FAST, providersFor } from '../fetch/support.ts';

let mock: MockProvider;
let engine: Engine;
let context: ServeContext;

beforeAll(async () => {
  mock = await startMockProvider({ seed: 3, models: { 'claude-down': { faults: [{ fault: '500' }] } } });
  engine = createEngine({
    providers: providersFor(mock),
    routes: { fallback: ['anthropic/claude-down', 'openai/gpt-mock'], down: ['anthropic/claude-down'] },
    ...FAST,
  });
  context = { engine, facing: (error) => toOutlastError(error) };
});
afterAll(async () => {
  await engine.close();
  await mock.close();
});
beforeEach(() => mock.reset());

const body = (value: unknown) => async () => parseJsonBody(JSON.stringify(value));
const question = { max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] };

async function readAll(answer: ServedAnswer): Promise<string> {
  if (answer.kind !== 'stream') throw new Error(`expected a stream, got ${answer.kind}`);
  let text = '';
  for (let piece = await answer.body.next(); piece !== undefined; piece = await answer.body.next())
    text += piece;
  return text;
}

describe('serveCall', () => {
  it('answers JSON with the request id under the SDK header and outlast’s, the target and the attempts', async () => {
    const answer = await serveCall(
      {
        codec: anthropicCodec,
        body: body({ model: 'fallback', ...question }),
        signal: new AbortController().signal,
      },
      context,
    );
    expect(answer.kind).toBe('json');
    if (answer.kind !== 'json') return;
    expect(answer.status).toBe(200);
    expect(answer.headers['request-id']).toMatch(/^req_[0-9a-f]{32}$/);
    expect(answer.headers['x-outlast-request-id']).toBe(answer.headers['request-id']);
    expect(answer.headers['x-outlast-model']).toBe('openai/gpt-mock');
    expect(answer.headers['x-outlast-attempts']).toBe('3');
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'message', role: 'assistant' });
  });

  it('streams the dialect’s SSE, pulled piece by piece, ending with [DONE] for OpenAI', async () => {
    const answer = await serveCall(
      {
        codec: openaiCodec,
        body: body({ model: 'openai/gpt-mock', stream: true, ...question }),
        signal: new AbortController().signal,
      },
      context,
    );
    expect(answer.kind === 'stream' && answer.headers['x-request-id']).toMatch(/^req_/);
    const text = await readAll(answer);
    expect(text).toMatch(/^data: \{"id":"chatcmpl-/);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('turns a body it cannot decode into the dialect’s 400, and a failed call into its error status', async () => {
    const bad = await serveCall(
      { codec: anthropicCodec, body: body({ model: 'fallback' }), signal: new AbortController().signal },
      context,
    );
    expect(bad.kind === 'json' && bad.status).toBe(400);
    expect(bad.kind === 'json' && JSON.parse(bad.body)).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });
    const failed = await serveCall(
      {
        codec: openaiCodec,
        body: body({ model: 'down', ...question }),
        signal: new AbortController().signal,
      },
      { ...context, errorHeaders: { 'x-should-retry': 'false' } },
    );
    expect(failed.kind === 'json' && failed.status).toBe(500);
    expect(failed.kind === 'json' && failed.headers['x-outlast-attempts']).toBe('2');
    expect(failed.kind === 'json' && failed.headers['x-should-retry']).toBe('false');
  });

  it('answers `aborted` with the signal’s reason when the client went away before the answer', async () => {
    const controller = new AbortController();
    const reason = new Error('client left');
    controller.abort(reason);
    const answer = await serveCall(
      {
        codec: openaiCodec,
        body: body({ model: 'openai/gpt-mock', ...question }),
        signal: controller.signal,
      },
      context,
    );
    expect(answer).toEqual({ kind: 'aborted', reason });
  });
});
