/**
 * Same-format traffic keeps what outlast does not model, proven against an upstream that records
 * what it received: the client's `anthropic-beta` and `anthropic-version`, `openai-beta`, and
 * request fields outlast does not read (Anthropic `context_management`, a future field; OpenAI
 * `service_tier`, `prediction`, `metadata`, `store`, `verbosity`) reach a target of the client's
 * format unchanged, and never one of another format.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
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

const ANTHROPIC_SSE = [
  [
    'message_start',
    {
      type: 'message_start',
      message: {
        id: 'msg_rec',
        type: 'message',
        role: 'assistant',
        model: 'claude-rec',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 5, output_tokens: 1 },
      },
    },
  ],
  [
    'content_block_start',
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  ],
  [
    'content_block_delta',
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Recorded.' } },
  ],
  ['content_block_stop', { type: 'content_block_stop', index: 0 }],
  [
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 2 },
    },
  ],
  ['message_stop', { type: 'message_stop' }],
]
  .map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  .join('');

const chunk = (delta: object, finish: string | null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-rec', object: 'chat.completion.chunk', created: 1, model: 'gpt-rec', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
const OPENAI_SSE = `${chunk({ role: 'assistant', content: 'Recorded.' }, null)}${chunk({}, 'stop')}data: ${JSON.stringify({ id: 'chatcmpl-rec', object: 'chat.completion.chunk', created: 1, model: 'gpt-rec', choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } })}\n\ndata: [DONE]\n\n`;

let upstream: Server;
let gateway: Gateway;
const received: Received[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(req.url?.startsWith('/v1/messages') ? ANTHROPIC_SSE : OPENAI_SSE);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await startGatewayWith(
    {
      config: {
        providers: {
          anthropic: { type: 'anthropic', baseURL: base, apiKey: 'sk-ant-upstream' },
          openai: { type: 'openai', baseURL: `${base}/v1`, apiKey: 'sk-openai-upstream' },
        },
        routes: {
          claude: ['anthropic/claude-rec'],
          gpt: ['openai/gpt-rec'],
          'gpt-first': ['openai/gpt-rec', 'anthropic/claude-rec'],
        },
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

const anthropic = () => new Anthropic({ baseURL: gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
const openai = () => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
const BETAS = 'prompt-caching-2024-07-31,context-1m-2025-08-07';

describe('passthrough to a target of the client’s format', () => {
  it('Anthropic: anthropic-beta, the client’s anthropic-version and unknown fields reach the upstream unchanged', async () => {
    const contextManagement = {
      edits: [{ type: 'clear_tool_uses_20250919', trigger: { type: 'input_tokens', value: 30000 } }],
    };
    const message = await anthropic().messages.create(
      {
        model: 'claude',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'hello' }],
        // @ts-expect-error fields the SDK's types do not know yet must pass too
        context_management: contextManagement,
        some_future_field: { nested: [1, 'two', null] },
      },
      { headers: { 'anthropic-beta': BETAS, 'anthropic-version': '2023-06-01' } },
    );
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Recorded.' });
    const [seen] = received;
    expect(seen?.path).toBe('/v1/messages');
    expect(seen?.headers['anthropic-beta']).toBe(BETAS);
    expect(seen?.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen?.headers['x-api-key']).toBe('sk-ant-upstream');
    expect(seen?.body.context_management).toEqual(contextManagement);
    expect(seen?.body.some_future_field).toEqual({ nested: [1, 'two', null] });
  });

  it('OpenAI: openai-beta and the fields outlast does not model reach the upstream unchanged', async () => {
    const fields = {
      service_tier: 'flex',
      prediction: { type: 'content', content: 'Recorded.' },
      metadata: { team: 'search' },
      store: true,
      verbosity: 'low',
    };
    const completion = await openai().chat.completions.create(
      { model: 'gpt', messages: [{ role: 'user', content: 'hello' }], ...(fields as object) },
      { headers: { 'openai-beta': 'assistants=v2' } },
    );
    expect(completion.choices[0]?.message.content).toBe('Recorded.');
    const [seen] = received;
    expect(seen?.path).toBe('/v1/chat/completions');
    expect(seen?.headers['openai-beta']).toBe('assistants=v2');
    expect(seen?.headers.authorization).toBe('Bearer sk-openai-upstream');
    expect(seen?.body).toMatchObject(fields);
  });

  it('Anthropic: a document block and a server tool reach an Anthropic target unchanged, skipping one that cannot take them', async () => {
    const document = {
      type: 'document',
      source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQK' },
      citations: { enabled: true },
    };
    const webSearch = { type: 'web_search_20250305', name: 'web_search', max_uses: 2 };
    const message = await anthropic().messages.create(
      {
        model: 'gpt-first',
        max_tokens: 100,
        messages: [{ role: 'user', content: [document, { type: 'text', text: 'Summarise.' }] }],
        tools: [webSearch],
      } as never,
      { headers: { 'anthropic-beta': 'pdfs-2024-09-25' } },
    );
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Recorded.' });
    // The OpenAI-format target was never sent a request it cannot express.
    expect(received.map((r) => r.path)).toEqual(['/v1/messages']);
    const [seen] = received;
    expect((seen?.body.messages as Array<{ content: unknown[] }> | undefined)?.[0]?.content[0]).toEqual(
      document,
    );
    expect(seen?.body.tools).toEqual([webSearch]);
    expect(seen?.headers['anthropic-beta']).toBe('pdfs-2024-09-25');
  });

  it('never sends one format’s headers to a target of another format', async () => {
    await anthropic().messages.create(
      { model: 'gpt', max_tokens: 100, messages: [{ role: 'user', content: 'hello' }] },
      { headers: { 'anthropic-beta': BETAS } },
    );
    const [seen] = received;
    expect(seen?.path).toBe('/v1/chat/completions');
    expect(seen?.headers['anthropic-beta']).toBeUndefined();
    expect(seen?.headers['anthropic-version']).toBeUndefined();
  });
});
