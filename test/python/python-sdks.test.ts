/**
 * Python clients are first-class users of the gateway: the official `openai` and `anthropic`
 * Python packages (test/python/clients.py) call every endpoint of a gateway over the mock
 * provider (chat, Responses, embeddings, models, messages, count_tokens, typed errors),
 * through routes that fall back across formats. Skipped, saying so, only where python3 is
 * absent; with python3 but without the packages it fails and says how to install them.
 */
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/index.ts';
import { providersFor } from '../engine/support/harness.ts';
import { createHarness, GATEWAY_KEY, type Harness } from '../gateway/support.ts';

function findPython(): string | undefined {
  for (const name of ['python3', 'python']) {
    try {
      execFileSync(name, ['--version'], { stdio: 'ignore' });
      return name;
    } catch {}
  }
  return undefined;
}
const python = findPython();
if (!python) console.warn('test/python: python3 is not installed here; the Python SDK tests are skipped');

type Check =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; type: string; message: string; trace: string };

let harness: Harness;
let gateway: Gateway;
let results: Record<string, Check> = {};

describe.skipIf(!python)('the official Python SDKs against the gateway', () => {
  beforeAll(async () => {
    const missing = (() => {
      try {
        execFileSync(python!, ['-c', 'import openai, anthropic'], { stdio: 'pipe' });
        return undefined;
      } catch (error) {
        return String((error as { stderr?: Buffer }).stderr ?? error);
      }
    })();
    if (missing)
      throw new Error(
        `the openai and anthropic Python packages are needed: pip install openai anthropic\n${missing}`,
      );
    harness = await createHarness({
      defaults: { firstTokenMs: 0, tokenMs: 1, answerTokens: 12 },
      models: { 'claude-down': { faults: ['529'] }, 'gpt-down': { faults: ['529'] } },
    });
    gateway = await harness.start({
      breaker: false,
      providers: {
        ...providersFor(harness.mock),
        oai: { ...providersFor(harness.mock).openai, responses: true },
      },
      routes: {
        there: ['anthropic/claude-down', 'openai/gpt-up'],
        back: ['openai/gpt-down', 'anthropic/claude-up'],
        dead: ['anthropic/claude-down', 'openai/gpt-down'],
        embed: ['openai/text-embedding-3-small'],
        direct: ['oai/gpt-up'],
      },
    });
    const script = fileURLToPath(new URL('./clients.py', import.meta.url));
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(python!, [script, gateway.url, GATEWAY_KEY], { timeout: 60_000 }, (error, out, err) =>
        error ? reject(new Error(`clients.py failed: ${error.message}\n${err}`)) : resolve(out),
      ),
    );
    results = JSON.parse(stdout) as Record<string, Check>;
  }, 90_000);
  afterAll(async () => {
    await harness?.close();
  });

  const value = (name: string): Record<string, unknown> => {
    const check = results[name];
    if (!check) throw new Error(`clients.py did not run ${name}`);
    if (!check.ok) throw new Error(`${name}: ${check.type}: ${check.message}\n${check.trace}`);
    return check.value;
  };

  it('openai: chat.completions.create and its stream, falling back across formats', () => {
    expect(value('openai.chat')).toMatchObject({ finish: 'stop', model_header: 'openai/gpt-up' });
    expect(String(value('openai.chat').text).length).toBeGreaterThan(0);
    expect(String(value('openai.chat_stream').text).length).toBeGreaterThan(0);
    expect(value('openai.chat_stream').usage).toBeGreaterThan(0);
  });

  it('openai: responses.create (text and a function call) and responses.stream', () => {
    expect(value('openai.responses')).toMatchObject({
      status: 'completed',
      id: expect.stringMatching(/^resp_/),
    });
    expect(String(value('openai.responses').text).length).toBeGreaterThan(0);
    expect(value('openai.responses_tool')).toEqual({
      name: 'get_weather',
      arguments: { city: expect.any(String) },
    });
    const streamed = value('openai.responses_stream');
    expect((streamed.types as string[])[0]).toBe('response.created');
    expect((streamed.types as string[]).at(-1)).toBe('response.completed');
    expect(streamed.final_text).toBe(streamed.text);
  });

  it('openai: responses chained with previous_response_id towards a Responses API upstream', () => {
    const chain = value('openai.responses_passthrough');
    expect(chain.first).toMatch(/^resp_/);
    expect(chain.second_previous).toBe(chain.first);
    expect(chain.stream_previous).not.toBeNull();
    expect(chain.stream_types).toEqual(['response.created', 'response.completed']);
    // A route with no Responses API target refuses what only it can serve, as the SDK's typed error.
    expect(String(chain.refused)).toContain('previous_response_id');
  });

  it('openai: embeddings.create, models.list and models.retrieve', () => {
    expect(value('openai.embeddings')).toEqual({ count: 2, dimensions: 8 });
    expect(value('openai.models').listed).toEqual(expect.arrayContaining(['there', 'back', 'embed']));
    expect(value('openai.models').retrieved).toBe('there');
  });

  it('openai: an exhausted route is the SDK’s typed error with the gateway’s request id', () => {
    expect(value('openai.error')).toMatchObject({
      type: 'InternalServerError',
      status: 503,
      request_id: expect.stringMatching(/^req_/),
    });
  });

  it('anthropic: messages.create, messages.stream and messages.count_tokens', () => {
    expect(value('anthropic.messages')).toMatchObject({ type: 'message', stop: 'end_turn' });
    const streamed = value('anthropic.stream');
    expect(streamed.final_text).toBe(streamed.text);
    expect(streamed.stop).toBe('end_turn');
    expect(value('anthropic.count_tokens').input_tokens).toBeGreaterThan(0);
    // Counted by the route's Anthropic target, not estimated.
    expect(value('anthropic.count_tokens').estimate).toBeNull();
  });

  it('anthropic: an exhausted route is the SDK’s typed error (529 overloaded)', () => {
    expect(value('anthropic.error')).toMatchObject({
      type: 'OverloadedError',
      status: 529,
      request_id: expect.stringMatching(/^req_/),
    });
  });
});
