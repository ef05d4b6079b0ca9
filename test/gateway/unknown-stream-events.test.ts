/**
 * Stream events outlast does not model (issue 16): an Anthropic `citations_delta`, a delta type
 * and an event type newer than the codec reach an Anthropic client byte for byte, in their
 * place; a client of another format never sees them and still gets the exact answer; and they
 * are never content: a stream that broke after one, before any text, is retried invisibly, and
 * one cut after them is continued into the exact answer with each event once. Against a
 * scripted upstream that records what it was asked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Gateway, hashKey, startGatewayWith } from '../../src/gateway/index.ts';
import { createTransport } from '../../src/transport/index.ts';
import { isPrefillRejection } from '../../src/wire/anthropic/index.ts';
import { anthropicCodec, codecFor, openaiCodec } from '../../src/wire/index.ts';
import { GATEWAY_KEY, silent } from './support.ts';

const frame = (event: string, data: object) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

const MESSAGE_START = frame('message_start', {
  type: 'message_start',
  message: {
    id: 'msg_cite',
    type: 'message',
    role: 'assistant',
    model: 'claude-cite',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 9, output_tokens: 1 },
  },
});
const TEXT_START = frame('content_block_start', {
  type: 'content_block_start',
  index: 0,
  content_block: { type: 'text', text: '' },
});
const text = (t: string) =>
  frame('content_block_delta', {
    type: 'content_block_delta',
    index: 0,
    delta: { type: 'text_delta', text: t },
  });
// As the Messages API sends a citation into a text block (citations-enabled documents).
const CITATION = frame('content_block_delta', {
  type: 'content_block_delta',
  index: 0,
  delta: {
    type: 'citations_delta',
    citation: {
      type: 'char_location',
      cited_text: 'The answer is 42.',
      document_index: 0,
      document_title: 'Guide',
      start_char_index: 0,
      end_char_index: 17,
    },
  },
});
const FUTURE_DELTA = frame('content_block_delta', {
  type: 'content_block_delta',
  index: 0,
  delta: { type: 'future_delta', weight: 0.5 },
});
const FUTURE_EVENT = frame('future_event', {
  type: 'future_event',
  detail: { note: 'not modelled', n: [1, 2] },
});
const ENDING =
  frame('content_block_stop', { type: 'content_block_stop', index: 0 }) +
  frame('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 6 },
  }) +
  frame('message_stop', { type: 'message_stop' });

const WHOLE =
  MESSAGE_START +
  TEXT_START +
  text('The answer') +
  CITATION +
  FUTURE_EVENT +
  FUTURE_DELTA +
  text(' is 42.') +
  ENDING;

/** What the upstream does for each request, in order; `cut` destroys the socket after sending it. */
type Script = Array<{ body: string; cut?: boolean }>;
let script: Script = [];
const asked: Array<Record<string, unknown>> = [];
let upstream: Server;
let gateway: Gateway;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      asked.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      const step = script.shift() ?? { body: WHOLE };
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (!step.cut) {
        res.end(step.body);
        return;
      }
      res.write(step.body, () => setTimeout(() => res.socket?.destroy(), 20));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await startGatewayWith(
    {
      config: {
        providers: { anthropic: { type: 'anthropic', baseURL: base, apiKey: 'sk-ant-upstream' } },
        routes: { claude: ['anthropic/claude-cite'] },
        keys: [hashKey(GATEWAY_KEY)],
        retry: { attempts: 3, baseMs: 1, capMs: 5 },
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
  script = [];
  asked.length = 0;
});

async function streamMessages(): Promise<{ status: number; body: string; attempts: string | null }> {
  const res = await fetch(`${gateway.url}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': GATEWAY_KEY,
      'anthropic-version': '2023-06-01',
    },
    body: JSON.stringify({
      model: 'claude',
      max_tokens: 100,
      stream: true,
      messages: [{ role: 'user', content: 'What is the answer?' }],
    }),
  });
  return { status: res.status, body: await res.text(), attempts: res.headers.get('x-outlast-attempts') };
}

/** The text of an Anthropic stream's text deltas. */
function textOf(body: string): string {
  return body
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)) as { type: string; delta?: { type: string; text?: string } })
    .filter((e) => e.type === 'content_block_delta' && e.delta?.type === 'text_delta')
    .map((e) => e.delta?.text ?? '')
    .join('');
}

const count = (body: string, piece: string) => body.split(piece).length - 1;

describe('stream events outlast does not model', () => {
  it('reach an Anthropic client byte for byte, in their place', async () => {
    const { status, body } = await streamMessages();
    expect(status).toBe(200);
    for (const event of [CITATION, FUTURE_EVENT, FUTURE_DELTA]) expect(count(body, event)).toBe(1);
    // Where the upstream put them: after the first text, before the rest.
    const at = (piece: string) => body.indexOf(piece);
    expect(at(text('The answer'))).toBeLessThan(at(CITATION));
    expect(at(CITATION)).toBeLessThan(at(FUTURE_EVENT));
    expect(at(FUTURE_EVENT)).toBeLessThan(at(FUTURE_DELTA));
    expect(at(FUTURE_DELTA)).toBeLessThan(at(text(' is 42.')));
    expect(textOf(body)).toBe('The answer is 42.');
  });

  it('reach the Anthropic SDK, which keeps the citation on its text block', async () => {
    const client = new Anthropic({ baseURL: gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
    const stream = client.messages.stream({
      model: 'claude',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'What is the answer?' }],
    });
    const message = await stream.finalMessage();
    expect(message.content).toHaveLength(1);
    const block = message.content[0];
    if (block?.type !== 'text') throw new Error(`expected a text block, got ${block?.type}`);
    expect(block.text).toBe('The answer is 42.');
    expect(block.citations).toEqual([JSON.parse(CITATION.split('data: ')[1] ?? '{}').delta.citation]);
  });

  it('are dropped for a client of another format, whose answer stays exact', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${GATEWAY_KEY}` },
      body: JSON.stringify({
        model: 'claude',
        stream: true,
        messages: [{ role: 'user', content: 'What is the answer?' }],
      }),
    });
    const raw = await res.text();
    expect(res.status).toBe(200);
    for (const word of ['citation', 'future', 'not modelled', 'weight']) expect(raw).not.toContain(word);
    let streamed = '';
    const stream = await client.chat.completions.create({
      model: 'claude',
      stream: true,
      messages: [{ role: 'user', content: 'What is the answer?' }],
    });
    for await (const c of stream) streamed += c.choices[0]?.delta.content ?? '';
    expect(streamed).toBe('The answer is 42.');
    const completion = await client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'What is the answer?' }],
    });
    expect(completion.choices[0]?.message.content).toBe('The answer is 42.');
  });

  it('are not content: a stream broken after them, before any text, is retried invisibly', async () => {
    script = [{ body: MESSAGE_START + TEXT_START + FUTURE_EVENT + CITATION, cut: true }];
    const { status, body, attempts } = await streamMessages();
    expect(status).toBe(200);
    expect(attempts).toBe('2');
    expect(asked).toHaveLength(2);
    // The failed attempt left no trace: every event once, from the attempt that answered.
    for (const event of [CITATION, FUTURE_EVENT, FUTURE_DELTA]) expect(count(body, event)).toBe(1);
    expect(count(body, 'event: message_start')).toBe(1);
    expect(textOf(body)).toBe('The answer is 42.');
  });

  it('are not text to continue from: a stream cut after them is continued into the exact answer', async () => {
    script = [
      { body: MESSAGE_START + TEXT_START + text('The answer') + CITATION + FUTURE_EVENT, cut: true },
      { body: MESSAGE_START + TEXT_START + text(' is 42.') + ENDING },
    ];
    const { status, body } = await streamMessages();
    expect(status).toBe(200);
    expect(asked).toHaveLength(2);
    // The continuation was asked from the text alone: no event of the first piece is in it.
    expect(JSON.stringify(asked[1])).not.toContain('citation');
    expect(JSON.stringify(asked[1])).toContain('The answer');
    expect(textOf(body)).toBe('The answer is 42.');
    expect(count(body, CITATION)).toBe(1);
    expect(count(body, FUTURE_EVENT)).toBe(1);
    expect(count(body, 'event: message_stop')).toBe(1);
  });
});
