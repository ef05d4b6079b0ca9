/**
 * The official `@anthropic-ai/sdk` client against our server side, over a real socket on
 * 127.0.0.1: what encodeResponse, the stream encoder and encodeError produce must be
 * accepted as if Anthropic had sent it. The requests the SDK sends go through our parser.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic, {
  APIError,
  BadRequestError,
  GatewayTimeoutError,
  InternalServerError,
  OverloadedError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorKind, OutlastError } from '../../errors/index.ts';
import type { CanonicalRequest, CanonicalResponse, StreamPart } from '../canonical/index.ts';
import { anthropicCodec } from './index.ts';

const ANSWER: CanonicalResponse = {
  id: 'msg_01SdkAnswer',
  model: 'upstream-model',
  content: [
    { type: 'thinking', thinking: 'Short.', signature: 'c2ln' },
    { type: 'text', text: 'Hello from outlast.' },
    { type: 'tool_use', id: 'toolu_01a', name: 'get_weather', input: { city: 'Paris' } },
  ],
  stopReason: 'tool_use',
  usage: { inputTokens: 12, outputTokens: 5, cacheReadTokens: 3, cacheWriteTokens: 0 },
};

const STREAM_PARTS: StreamPart[] = [
  { type: 'message_start', id: 'msg_01SdkStream', model: 'upstream', usage: { inputTokens: 40 } },
  { type: 'block_start', index: 0, block: { type: 'thinking' } },
  { type: 'block_delta', index: 0, delta: { type: 'thinking', thinking: 'Two cities, ' } },
  { type: 'block_delta', index: 0, delta: { type: 'thinking', thinking: 'two calls.' } },
  { type: 'block_delta', index: 0, delta: { type: 'signature', signature: 'RXhhbXBsZQ==' } },
  { type: 'block_stop', index: 0 },
  { type: 'block_start', index: 1, block: { type: 'text' } },
  { type: 'block_delta', index: 1, delta: { type: 'text', text: 'Checking ' } },
  { type: 'block_delta', index: 1, delta: { type: 'text', text: 'both.' } },
  { type: 'block_stop', index: 1 },
  { type: 'block_start', index: 2, block: { type: 'tool_use', id: 'toolu_a', name: 'get_weather' } },
  { type: 'block_delta', index: 2, delta: { type: 'tool_input', partialJson: '' } },
  { type: 'block_delta', index: 2, delta: { type: 'tool_input', partialJson: '{"city":' } },
  { type: 'block_delta', index: 2, delta: { type: 'tool_input', partialJson: '"Paris"}' } },
  { type: 'block_stop', index: 2 },
  { type: 'block_start', index: 3, block: { type: 'tool_use', id: 'toolu_b', name: 'get_weather' } },
  { type: 'block_delta', index: 3, delta: { type: 'tool_input', partialJson: '{"city":"Rome"}' } },
  { type: 'block_stop', index: 3 },
  { type: 'message_delta', stopReason: 'tool_use', usage: { outputTokens: 30 } },
  { type: 'message_stop' },
];

const TRUNCATED_PARTS: StreamPart[] = [
  { type: 'message_start', id: 'msg_01SdkCut', model: 'upstream', usage: { inputTokens: 9 } },
  { type: 'block_start', index: 0, block: { type: 'text' } },
  { type: 'block_delta', index: 0, delta: { type: 'text', text: 'Half an ans' } },
  { type: 'message_stop', truncated: true },
];

const ERRORS: Record<string, { kind: ErrorKind; retryAfterMs?: number; providerType?: string }> = {
  'error-429': { kind: 'rate_limited', retryAfterMs: 1000 },
  'error-529': { kind: 'overloaded' },
  'error-500': { kind: 'server' },
  'error-504': { kind: 'timeout' },
  'error-400': { kind: 'bad_request' },
};

let server: Server;
let client: Anthropic;
const received: CanonicalRequest[] = [];

function streamOf(parts: StreamPart[], model: string): string {
  const encoder = anthropicCodec.createStreamEncoder({ model });
  return encoder.keepAlive() + parts.map((p) => encoder.encode(p)).join('') + encoder.end();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8');
    });
    req.on('end', () => {
      const request = anthropicCodec.decodeRequest(JSON.parse(raw));
      received.push(request);
      const scripted = ERRORS[request.model];
      if (scripted) {
        const error = new OutlastError({
          ...scripted,
          message: `scripted ${scripted.kind}`,
          requestId: 'req_sdk',
        });
        const encoded = anthropicCodec.encodeError(error);
        res.writeHead(encoded.status, encoded.headers).end(encoded.body);
        return;
      }
      if (!request.stream) {
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_ok' });
        res.end(JSON.stringify(anthropicCodec.encodeResponse(ANSWER, { model: request.model })));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_stream' });
      if (request.model === 'stream-error') {
        const encoder = anthropicCodec.createStreamEncoder({ model: request.model });
        res.write(
          STREAM_PARTS.slice(0, 4)
            .map((p) => encoder.encode(p))
            .join(''),
        );
        const error = new OutlastError({ kind: 'overloaded', message: 'Overloaded' });
        res.end(encoder.encode({ type: 'error', error }) + encoder.end());
        return;
      }
      res.end(streamOf(request.model === 'stream-truncated' ? TRUNCATED_PARTS : STREAM_PARTS, request.model));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new Anthropic({ baseURL: `http://127.0.0.1:${port}`, apiKey: 'test', maxRetries: 0 });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const ask = { max_tokens: 100, messages: [{ role: 'user' as const, content: 'Weather in Paris and Rome?' }] };

describe('@anthropic-ai/sdk against the Anthropic server codec', () => {
  it('messages.create reads our Message, and its request reached us as canonical', async () => {
    const message = await client.messages.create({
      ...ask,
      model: 'plain',
      system: 'Be brief.',
      tools: [
        { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
      ],
    });
    expect(message.id).toBe('msg_01SdkAnswer');
    expect(message.model).toBe('plain');
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Short.', signature: 'c2ln' },
      { type: 'text', text: 'Hello from outlast.' },
      { type: 'tool_use', id: 'toolu_01a', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 12, output_tokens: 5, cache_read_input_tokens: 3 });
    expect(message._request_id).toBe('req_ok');
    expect(received.at(-1)).toMatchObject({
      model: 'plain',
      maxTokens: 100,
      system: [{ type: 'text', text: 'Be brief.' }],
      tools: [{ name: 'get_weather' }],
    });
  });

  it('messages.stream().finalMessage() assembles thinking, text and parallel tool calls', async () => {
    const stream = client.messages.stream({ ...ask, model: 'streamed' });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const message = await stream.finalMessage();
    expect(texts.join('')).toBe('Checking both.');
    expect(message.id).toBe('msg_01SdkStream');
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Two cities, two calls.', signature: 'RXhhbXBsZQ==' },
      { type: 'text', text: 'Checking both.' },
      { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'toolu_b', name: 'get_weather', input: { city: 'Rome' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 40, output_tokens: 30 });
  });

  it('a salvaged stream reaches the SDK as a whole Message cut short by max_tokens', async () => {
    const message = await client.messages.stream({ ...ask, model: 'stream-truncated' }).finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'Half an ans' }]);
    expect(message.stop_reason).toBe('max_tokens');
  });

  it('an in-band error event fails the stream with the error type', async () => {
    const failure = await client.messages
      .stream({ ...ask, model: 'stream-error' })
      .finalMessage()
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).status).toBeUndefined();
    expect((failure as APIError).type).toBe('overloaded_error');
  });

  it.each([
    ['error-429', RateLimitError, 429, 'rate_limit_error'],
    ['error-529', OverloadedError, 529, 'overloaded_error'],
    ['error-500', InternalServerError, 500, 'api_error'],
    ['error-504', GatewayTimeoutError, 504, 'timeout_error'],
    ['error-400', BadRequestError, 400, 'invalid_request_error'],
  ] as const)(
    '%s reaches the SDK as its typed error with the request id',
    async (model, type, status, errorType) => {
      const failure = await client.messages.create({ ...ask, model }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(type);
      const error = failure as APIError;
      expect(error.status).toBe(status);
      expect(error.requestID).toBe('req_sdk');
      expect(error.type).toBe(errorType);
      expect(error.apiMessage).toBe(`scripted ${ERRORS[model]?.kind}`);
    },
  );
});
