/**
 * Chat Completions that the canonical model cannot carry back, `n > 1` and audio output, pass
 * through to an OpenAI-format target as they came, against an upstream that records what it
 * received and answers as OpenAI does: every choice and audio delta reaches the client
 * unchanged (the SSE body byte for byte, the JSON body field for field), a target of another
 * format is skipped (400 naming the field when none is left), and a stream cut after the
 * commit point ends with the error chunk, never a stitched answer.
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

const base = { id: 'chatcmpl-rec', object: 'chat.completion.chunk', created: 1, model: 'gpt-rec' };
const choice = (index: number, delta: object, finish: string | null = null) => ({
  index,
  delta,
  logprobs: null,
  finish_reason: finish,
});
const frames = (chunks: object[]) =>
  `${chunks.map((c) => `data: ${JSON.stringify({ ...base, ...c })}\n\n`).join('')}data: [DONE]\n\n`;

const TWO_CHOICES = [
  { choices: [choice(0, { role: 'assistant', content: '' }), choice(1, { role: 'assistant', content: '' })] },
  { choices: [choice(0, { content: 'One.' })] },
  { choices: [choice(1, { content: 'Two.' })] },
  { choices: [choice(0, {}, 'stop')] },
  { choices: [choice(1, {}, 'stop')] },
  { choices: [], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } },
];
const AUDIO = [
  { choices: [choice(0, { role: 'assistant', content: null, audio: { id: 'audio_1', transcript: 'Hel' } })] },
  { choices: [choice(0, { audio: { data: 'UklGRg==', transcript: 'lo.' } })] },
  { choices: [choice(0, { audio: { expires_at: 1765000000 } }, 'stop')] },
];
const COMPLETION = {
  id: 'chatcmpl-rec',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-rec',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'One.', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
    {
      index: 1,
      message: { role: 'assistant', content: 'Two.', refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
  system_fingerprint: 'fp_rec',
};

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
      if (body.stream !== true) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(COMPLETION));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (body.model === 'gpt-cut') {
        // Both choices begin, then the connection dies.
        res.write(frames(TWO_CHOICES.slice(0, 3)).replace('data: [DONE]\n\n', ''));
        setTimeout(() => res.destroy(), 20);
        return;
      }
      res.end(frames(Array.isArray(body.modalities) ? AUDIO : TWO_CHOICES));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await startGatewayWith(
    {
      config: {
        providers: {
          anthropic: { type: 'anthropic', baseURL: url, apiKey: 'sk-ant-upstream' },
          openai: { type: 'openai', baseURL: `${url}/v1`, apiKey: 'sk-openai-upstream' },
        },
        routes: {
          gpt: ['anthropic/claude-rec', 'openai/gpt-rec'],
          claude: ['anthropic/claude-rec'],
          cut: ['openai/gpt-cut', 'openai/gpt-rec'],
        },
        keys: [hashKey(GATEWAY_KEY)],
        retry: { attempts: 1 },
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

const client = () => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
const messages = [{ role: 'user' as const, content: 'Say something.' }];

describe('Chat Completions relayed as they came', () => {
  it('n: 2 streamed: every choice reaches the client byte for byte; the Anthropic target is skipped', async () => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${GATEWAY_KEY}` },
      body: JSON.stringify({
        model: 'gpt',
        messages,
        n: 2,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-outlast-model')).toBe('openai/gpt-rec');
    expect(await res.text()).toBe(frames(TWO_CHOICES));
    expect(received.map((r) => r.path)).toEqual(['/v1/chat/completions']);
    expect(received[0]!.body).toEqual({
      model: 'gpt-rec',
      messages,
      n: 2,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('n: 2 with the SDK, streamed and not', async () => {
    const texts = ['', ''];
    const stream = await client().chat.completions.create({ model: 'gpt', messages, n: 2, stream: true });
    for await (const chunk of stream) for (const c of chunk.choices) texts[c.index] += c.delta.content ?? '';
    expect(texts).toEqual(['One.', 'Two.']);
    const whole = await client().chat.completions.create({ model: 'gpt', messages, n: 2 });
    const { _request_id, ...fields } = whole as unknown as Record<string, unknown>;
    expect(fields).toEqual(COMPLETION);
    // Not streamed: fetched as one JSON body, so a cut is before the commit point.
    expect(received.at(-1)!.body.stream).toBeUndefined();
  });

  it('audio output: the audio deltas reach the client as they came', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt',
      messages,
      modalities: ['text', 'audio'],
      audio: { voice: 'alloy', format: 'pcm16' },
      stream: true,
    });
    const audio: unknown[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { audio?: unknown } | undefined;
      if (delta?.audio) audio.push(delta.audio);
    }
    expect(audio).toEqual(AUDIO.map((c) => (c.choices[0]!.delta as { audio: unknown }).audio));
    expect(received.at(-1)!.body).toMatchObject({ modalities: ['text', 'audio'], audio: { voice: 'alloy' } });
  });

  it('a route with no OpenAI-format target answers 400 naming the field', async () => {
    const refused = await client()
      .chat.completions.create({ model: 'claude', messages, n: 2 })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as Error).message).toContain('n: 2 choices');
    const audio = await client()
      .chat.completions.create({
        model: 'claude',
        messages,
        modalities: ['audio'],
        audio: { voice: 'alloy', format: 'wav' },
      })
      .catch((e: unknown) => e);
    expect(audio).toBeInstanceOf(OpenAI.BadRequestError);
    expect((audio as Error).message).toContain('modalities');
    expect(received).toEqual([]);
  });

  it('a relayed stream cut after the commit point ends with the error chunk, not continued', async () => {
    const stream = await client().chat.completions.create({ model: 'cut', messages, n: 2, stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream)
        for (const c of chunk.choices) seen.push(`${c.index}:${c.delta.content}`);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['0:', '1:', '0:One.', '1:Two.']);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    // The other target was not asked to continue it.
    expect(received.map((r) => r.body.model)).toEqual(['gpt-cut']);
  });
});
