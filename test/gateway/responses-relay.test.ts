/**
 * A Responses API upstream's answer reaches a Responses API caller as it came, proven against an
 * upstream that records what it received and answers with OpenAI's own events: a hosted tool's
 * item and its progress events, a citation annotation, an event type outlast has never heard of
 * and fields it does not model all pass unchanged, the SSE body byte for byte, the JSON body
 * field for field; the request reaches the upstream as the client sent it (the route's model
 * written in, `openai-beta` kept). Translation could produce none of these.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Gateway, hashKey, startGatewayWith } from '../../src/gateway/index.ts';
import { createTransport } from '../../src/transport/index.ts';
import { isPrefillRejection } from '../../src/wire/anthropic/index.ts';
import { anthropicCodec, codecFor, openaiCodec } from '../../src/wire/index.ts';
import { GATEWAY_KEY, silent } from './support.ts';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

const RESPONSE = {
  id: 'resp_upstream0001',
  object: 'response',
  created_at: 1765000000,
  status: 'completed',
  background: false,
  error: null,
  incomplete_details: null,
  instructions: null,
  max_output_tokens: null,
  model: 'gpt-rec-2026-01-01',
  output: [
    {
      id: 'ws_0001',
      type: 'web_search_call',
      status: 'completed',
      action: { type: 'search', query: 'outlast gateway' },
    },
    {
      id: 'msg_0001',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [
        {
          type: 'output_text',
          text: 'Found it.',
          annotations: [
            {
              type: 'url_citation',
              start_index: 0,
              end_index: 9,
              url: 'https://example.com/',
              title: 'Example',
            },
          ],
          logprobs: [],
        },
      ],
    },
  ],
  parallel_tool_calls: true,
  previous_response_id: 'resp_earlier',
  reasoning: { effort: null, summary: null },
  service_tier: 'priority',
  store: true,
  temperature: 1,
  text: { format: { type: 'text' }, verbosity: 'medium' },
  tool_choice: 'auto',
  tools: [{ type: 'web_search', search_context_size: 'medium' }],
  top_p: 1,
  truncation: 'disabled',
  usage: {
    input_tokens: 20,
    input_tokens_details: { cached_tokens: 4 },
    output_tokens: 3,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 23,
  },
  metadata: { run: 'relay' },
  a_field_from_next_year: { nested: [1, 'two'] },
};

const inProgress = { ...RESPONSE, status: 'in_progress', output: [], usage: null };
const EVENTS: Array<Record<string, unknown>> = [
  { type: 'response.created', response: inProgress },
  { type: 'response.in_progress', response: inProgress },
  {
    type: 'response.output_item.added',
    output_index: 0,
    item: { ...RESPONSE.output[0], status: 'in_progress' },
  },
  { type: 'response.web_search_call.in_progress', output_index: 0, item_id: 'ws_0001' },
  { type: 'response.web_search_call.searching', output_index: 0, item_id: 'ws_0001' },
  { type: 'response.web_search_call.completed', output_index: 0, item_id: 'ws_0001' },
  { type: 'response.output_item.done', output_index: 0, item: RESPONSE.output[0] },
  {
    type: 'response.output_item.added',
    output_index: 1,
    item: { id: 'msg_0001', type: 'message', status: 'in_progress', role: 'assistant', content: [] },
  },
  {
    type: 'response.content_part.added',
    item_id: 'msg_0001',
    output_index: 1,
    content_index: 0,
    part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
  },
  {
    type: 'response.output_text.delta',
    item_id: 'msg_0001',
    output_index: 1,
    content_index: 0,
    delta: 'Found it.',
    logprobs: [],
    obfuscation: 'xYz',
  },
  {
    type: 'response.output_text.annotation.added',
    item_id: 'msg_0001',
    output_index: 1,
    content_index: 0,
    annotation_index: 0,
    annotation: RESPONSE.output[1]!.content![0]!.annotations[0],
  },
  { type: 'response.something_new.delta', item_id: 'msg_0001', output_index: 1, payload: { x: 1 } },
  {
    type: 'response.output_text.done',
    item_id: 'msg_0001',
    output_index: 1,
    content_index: 0,
    text: 'Found it.',
    logprobs: [],
  },
  {
    type: 'response.content_part.done',
    item_id: 'msg_0001',
    output_index: 1,
    content_index: 0,
    part: RESPONSE.output[1]!.content![0],
  },
  { type: 'response.output_item.done', output_index: 1, item: RESPONSE.output[1] },
  { type: 'response.completed', response: RESPONSE },
];
const SSE = EVENTS.map(
  (event, i) => `event: ${String(event.type)}\ndata: ${JSON.stringify({ ...event, sequence_number: i })}\n\n`,
).join('');

let upstream: Server;
let gateway: Gateway;
const received: Received[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      received.push({ path: req.url ?? '', headers: req.headers, body });
      if (body.stream === true) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(SSE);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(RESPONSE));
      }
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await startGatewayWith(
    {
      config: {
        providers: {
          openai: { type: 'openai', baseURL: `${base}/v1`, apiKey: 'sk-openai-upstream', responses: true },
        },
        routes: { gpt: ['openai/gpt-rec'] },
        keys: [hashKey(GATEWAY_KEY)],
      },
      port: 0,
      host: '127.0.0.1',
      logger: silent,
    },
    {
      transport: createTransport(),
      codecFor,
      isPrefillRejection,
      serverCodecs: { anthropic: anthropicCodec, openai: openaiCodec },
    },
  );
});
afterAll(async () => {
  await gateway.close();
  await new Promise((resolve) => upstream.close(resolve));
});
beforeEach(() => {
  received.length = 0;
});

const REQUEST = {
  model: 'gpt',
  input: [{ role: 'user', content: [{ type: 'input_text', text: 'Find outlast.' }] }],
  tools: [{ type: 'web_search', search_context_size: 'medium' }],
  include: ['web_search_call.action.sources'],
  previous_response_id: 'resp_earlier',
  store: true,
  service_tier: 'priority',
  metadata: { run: 'relay' },
  a_request_field_from_next_year: true,
};

describe('Responses API relay', () => {
  it('a stream: the upstream’s events reach the client byte for byte', async () => {
    const res = await fetch(`${gateway.url}/v1/responses`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${GATEWAY_KEY}`,
        'openai-beta': 'responses=v9',
      },
      body: JSON.stringify({ ...REQUEST, stream: true }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(SSE);
    expect(received).toHaveLength(1);
    expect(received[0]!.path).toBe('/v1/responses');
    expect(received[0]!.headers['openai-beta']).toBe('responses=v9');
    expect(received[0]!.headers.authorization).toBe('Bearer sk-openai-upstream');
    expect(received[0]!.body).toEqual({ ...REQUEST, model: 'gpt-rec', stream: true });
  });

  it('the SDK’s event stream is the upstream’s, the unknown event included', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
    // `create({ stream: true })` hands over every event; the SDK's `responses.stream()` helper
    // throws on an event type it does not know, from OpenAI itself as from here.
    const stream = await client.responses.create({ ...(REQUEST as object), stream: true } as never);
    const events: Array<{ type: string; response?: { id: string; output: Array<{ type: string }> } }> = [];
    for await (const event of stream as unknown as AsyncIterable<(typeof events)[number]>) events.push(event);
    expect(events.map((e) => e.type)).toEqual(EVENTS.map((e) => e.type));
    const completed = events.at(-1)?.response;
    expect(completed?.id).toBe('resp_upstream0001');
    expect(completed?.output[0]?.type).toBe('web_search_call');
  });

  it('not streamed: the upstream’s Response, field for field, fetched as one JSON body', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
    const response = await client.responses.create(REQUEST as never);
    const { output_text, _request_id, ...fields } = response as unknown as Record<string, unknown>;
    expect(fields).toEqual(RESPONSE);
    expect(output_text).toBe('Found it.');
    expect(received[0]!.body).toEqual({ ...REQUEST, model: 'gpt-rec' });
  });
});
