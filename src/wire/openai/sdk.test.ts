/**
 * The official `openai` client against our server side, over a real socket on 127.0.0.1:
 * what encodeResponse, the stream encoder and encodeError produce must be accepted as if
 * OpenAI had sent it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorKind, OutlastError } from '../../errors/index.ts';
import type { CanonicalRequest, CanonicalResponse, StreamPart } from '../canonical/index.ts';
import { openaiCodec } from './index.ts';

const ANSWER: CanonicalResponse = {
  id: 'chatcmpl-sdk1',
  model: 'upstream-model',
  content: [{ type: 'text', text: 'Hello from outlast.' }],
  stopReason: 'end_turn',
  usage: { inputTokens: 12, outputTokens: 5, cacheReadTokens: 3 },
};

const TOOL_PARTS: StreamPart[] = [
  { type: 'message_start', id: 'msg_tools', model: 'claude', usage: { inputTokens: 40 } },
  { type: 'block_start', index: 0, block: { type: 'text' } },
  { type: 'block_delta', index: 0, delta: { type: 'text', text: 'Checking both.' } },
  { type: 'block_stop', index: 0 },
  { type: 'block_start', index: 1, block: { type: 'tool_use', id: 'toolu_a', name: 'get_weather' } },
  { type: 'block_delta', index: 1, delta: { type: 'tool_input', partialJson: '{"location":' } },
  { type: 'block_delta', index: 1, delta: { type: 'tool_input', partialJson: '"Paris"}' } },
  { type: 'block_stop', index: 1 },
  { type: 'block_start', index: 2, block: { type: 'tool_use', id: 'toolu_b', name: 'get_weather' } },
  { type: 'block_delta', index: 2, delta: { type: 'tool_input', partialJson: '{"location":"Rome"}' } },
  { type: 'block_stop', index: 2 },
  { type: 'message_delta', stopReason: 'tool_use', usage: { outputTokens: 30 } },
  { type: 'message_stop' },
];

const TEXT_PARTS: StreamPart[] = [
  { type: 'message_start', id: 'msg_text', model: 'claude', usage: { inputTokens: 9 } },
  { type: 'block_start', index: 0, block: { type: 'text' } },
  { type: 'block_delta', index: 0, delta: { type: 'text', text: 'Hel' } },
  { type: 'block_delta', index: 0, delta: { type: 'text', text: 'lo!' } },
  { type: 'block_stop', index: 0 },
  { type: 'message_delta', stopReason: 'end_turn', usage: { outputTokens: 2 } },
  { type: 'message_stop' },
];

const ERRORS: Record<string, { kind: ErrorKind; retryAfterMs?: number }> = {
  'error-429': { kind: 'rate_limited', retryAfterMs: 1000 },
  'error-500': { kind: 'server' },
  'error-400': { kind: 'bad_request' },
};

let server: Server;
let client: OpenAI;
const received: CanonicalRequest[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8');
    });
    req.on('end', () => {
      const request = openaiCodec.decodeRequest(JSON.parse(raw));
      received.push(request);
      const error = ERRORS[request.model];
      if (error) {
        const encoded = openaiCodec.encodeError(
          new OutlastError({ ...error, message: `scripted ${error.kind}`, requestId: 'req_sdk' }),
        );
        res.writeHead(encoded.status, encoded.headers).end(encoded.body);
        return;
      }
      if (!request.stream) {
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_ok' });
        res.end(JSON.stringify(openaiCodec.encodeResponse(ANSWER, { model: request.model })));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_stream' });
      const encoder = openaiCodec.createStreamEncoder({
        model: request.model,
        includeUsage: request.includeUsage,
      });
      res.write(encoder.keepAlive());
      for (const part of request.model === 'tools' ? TOOL_PARTS : TEXT_PARTS) res.write(encoder.encode(part));
      res.end(encoder.end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'test', maxRetries: 0 });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
});

describe('the openai SDK against our server side', () => {
  it('chat.completions.create (non-stream) returns our completion with its request id', async () => {
    const { data, request_id } = await client.chat.completions
      .create({ model: 'text', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(request_id).toBe('req_ok');
    expect(data.choices[0]?.message.content).toBe('Hello from outlast.');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: 15, completion_tokens: 5, total_tokens: 20 });
    expect(data.usage?.prompt_tokens_details?.cached_tokens).toBe(3);
    expect(data.model).toBe('text');
  });

  it('stream: true iterates our chunks, with the usage chunk last', async () => {
    const stream = await client.chat.completions.create({
      model: 'text',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const finish: Array<string | null> = [];
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]) finish.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello!');
    expect(finish.at(-1)).toBe('stop');
    expect(usage).toEqual({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 });
  });

  it('chat.completions.stream().finalChatCompletion() assembles parallel tool calls', async () => {
    const final = await client.chat.completions
      .stream({
        model: 'tools',
        messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }],
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              parameters: { type: 'object', properties: { location: { type: 'string' } } },
            },
          },
        ],
      })
      .finalChatCompletion();
    const message = final.choices[0]!.message;
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(message.content).toBe('Checking both.');
    expect(
      message.tool_calls?.map((c) => (c.type === 'function' ? [c.id, c.function.arguments] : [])),
    ).toEqual([
      ['toolu_a', '{"location":"Paris"}'],
      ['toolu_b', '{"location":"Rome"}'],
    ]);
    // The SDK's stream helper asks for what we need: our parser read its request.
    expect(received.at(-1)?.tools?.[0]?.name).toBe('get_weather');
  });

  it.each([
    ['error-429', OpenAI.RateLimitError, 429],
    ['error-500', OpenAI.InternalServerError, 500],
    ['error-400', OpenAI.BadRequestError, 400],
  ] as const)('%s becomes the typed SDK error with requestID', async (model, ErrorClass, status) => {
    const error = await client.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(status);
    expect(apiError.requestID).toBe('req_sdk');
    expect(apiError.type).toBeTruthy();
    expect(apiError.message).toContain(`scripted`);
  });

  it('a mid-stream error frame makes the SDK throw instead of ending quietly', async () => {
    const failing = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const encoder = openaiCodec.createStreamEncoder({ model: 'm' });
      res.write(
        encoder.encode(TEXT_PARTS[0]!) + encoder.encode(TEXT_PARTS[1]!) + encoder.encode(TEXT_PARTS[2]!),
      );
      res.write(
        encoder.encode({ type: 'error', error: new OutlastError({ kind: 'overloaded', message: 'gone' }) }),
      );
      res.end(encoder.end());
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    try {
      const c = new OpenAI({
        baseURL: `http://127.0.0.1:${(failing.address() as AddressInfo).port}/v1`,
        apiKey: 'test',
        maxRetries: 0,
      });
      const stream = await c.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
      });
      let text = '';
      const error = await (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })().catch((e: unknown) => e);
      expect(text).toBe('Hel');
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as Error).message).toContain('gone');
    } finally {
      failing.closeAllConnections();
      await new Promise<void>((resolve) => failing.close(() => resolve()));
    }
  });
});
