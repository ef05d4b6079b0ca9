/**
 * The gateway's OpenAI-shaped answers validated against OpenAI's published OpenAPI schemas
 * (test/fixtures/openai-openapi/schemas.json, extracted from github.com/openai/openai-openapi
 * with its commit named in the file): Chat Completions (whole and chunks), the Responses API
 * (the Response object and every stream event, a failed stream's included), embeddings, the
 * model list and one model, and an error body. Real answers over real sockets, from the mock
 * through routes that fall back across formats.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Gateway } from '../../src/gateway/index.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

// Read, not imported: a type inferred for 100 KB of JSON would slow every type check.
const spec = JSON.parse(
  readFileSync(new URL('../fixtures/openai-openapi/schemas.json', import.meta.url), 'utf8'),
) as {
  source: string;
  roots: string[];
  $defs: Record<string, unknown>;
};
const schemaOf = (root: string) => z.fromJSONSchema({ $ref: `#/$defs/${root}`, $defs: spec.$defs } as never);
const schemas: Record<string, ReturnType<typeof schemaOf>> = Object.fromEntries(
  spec.roots.map((root) => [root, schemaOf(root)]),
);

/** A stream event's own schema, found by its `type` among the union's branches (clearer errors than the union's). */
const defs = spec.$defs as unknown as Record<
  string,
  { anyOf?: Array<{ $ref: string }>; properties?: { type?: { enum?: string[] } } }
>;
const eventSchemas = new Map(
  (defs.ResponseStreamEvent?.anyOf ?? []).map((branch) => {
    const name = branch.$ref.replace('#/$defs/', '');
    return [defs[name]?.properties?.type?.enum?.[0] ?? name, name] as const;
  }),
);

function conforms(root: string, value: unknown): void {
  if (root === 'ResponseStreamEvent') {
    const own = eventSchemas.get((value as { type?: string }).type ?? '');
    if (!own) throw new Error(`no published event type ${JSON.stringify((value as { type?: string }).type)}`);
    root = own;
    schemas[root] ??= schemaOf(root);
  }
  const result = schemas[root]!.safeParse(value);
  if (!result.success) {
    throw new Error(
      `${root} does not conform:\n${JSON.stringify(result.error.issues, null, 1).slice(0, 2000)}\nvalue: ${JSON.stringify(value).slice(0, 1000)}`,
    );
  }
}

let harness: Harness;
let gateway: Gateway;
beforeAll(async () => {
  harness = await createHarness({
    defaults: { firstTokenMs: 0, tokenMs: 1, answerTokens: 10 },
    models: { 'claude-down': { faults: ['529'] }, 'gpt-broken': { faults: ['cut after=3'] } },
  });
  gateway = await harness.start({
    breaker: false,
    routes: {
      there: ['anthropic/claude-down', 'openai/gpt-up'],
      claude: ['anthropic/claude-up'],
      broken: ['openai/gpt-broken'],
      embed: ['openai/text-embedding-3-small'],
    },
  });
});
afterAll(async () => {
  await harness.close();
});

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res;
};
const get = async (path: string) =>
  (await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${GATEWAY_KEY}` } })).json();
/** The JSON payloads of an SSE body, `[DONE]` left out. */
const events = async (res: Response): Promise<unknown[]> =>
  (await res.text())
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
    .map((line) => JSON.parse(line.slice('data: '.length)));

const tools = [
  {
    type: 'function',
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
];

describe('answers conform to OpenAI’s published OpenAPI schemas', () => {
  it.each(['there', 'claude'])(
    'Chat Completions over route %s: the completion and every chunk',
    async (route) => {
      const messages = [{ role: 'user', content: 'hello' }];
      conforms(
        'CreateChatCompletionResponse',
        await (await post('/v1/chat/completions', { model: route, messages })).json(),
      );
      const chatTools = [
        { type: 'function', function: { name: 'get_weather', parameters: tools[0]!.parameters } },
      ];
      conforms(
        'CreateChatCompletionResponse',
        await (
          await post('/v1/chat/completions', {
            model: route,
            messages,
            tools: chatTools,
            tool_choice: 'required',
          })
        ).json(),
      );
      const chunks = await events(
        await post('/v1/chat/completions', {
          model: route,
          messages,
          stream: true,
          stream_options: { include_usage: true },
        }),
      );
      expect(chunks.length).toBeGreaterThan(2);
      for (const chunk of chunks) conforms('CreateChatCompletionStreamResponse', chunk);
    },
  );

  it.each(['there', 'claude'])(
    'Responses over route %s: the Response, text and function calls, and every event',
    async (route) => {
      conforms(
        'Response',
        await (
          await post('/v1/responses', { model: route, input: 'hello', instructions: 'Be brief.' })
        ).json(),
      );
      conforms(
        'Response',
        await (
          await post('/v1/responses', { model: route, input: 'weather?', tools, tool_choice: 'required' })
        ).json(),
      );
      for (const body of [
        { model: route, input: 'hello', stream: true },
        { model: route, input: 'weather?', tools, tool_choice: 'required', stream: true },
        { model: route, input: 'think', reasoning: { effort: 'low' }, max_output_tokens: 4000, stream: true },
      ]) {
        const all = await events(await post('/v1/responses', body));
        expect(all.length).toBeGreaterThan(4);
        for (const event of all) conforms('ResponseStreamEvent', event);
      }
    },
  );

  it('Responses: the events of a stream that fails after the commit point', async () => {
    const all = (await events(
      await post('/v1/responses', { model: 'broken', input: 'hello', stream: true }),
    )) as Array<{
      type: string;
    }>;
    expect(all.map((e) => e.type).slice(-2)).toEqual(['error', 'response.failed']);
    for (const event of all) conforms('ResponseStreamEvent', event);
  });

  it('embeddings, the model list, one model and an error body', async () => {
    conforms(
      'CreateEmbeddingResponse',
      await (await post('/v1/embeddings', { model: 'embed', input: ['a', 'b'] })).json(),
    );
    conforms('ListModelsResponse', await get('/v1/models'));
    conforms('Model', await get('/v1/models/there'));
    conforms('Model', await get('/v1/models/anthropic%2Fclaude-up'));
    const error = await post('/v1/chat/completions', { model: 'there' });
    expect(error.status).toBe(400);
    conforms('ErrorResponse', await error.json());
  });
});
