/**
 * The official @google/genai client accepts what the Gemini server side encodes: answers
 * served over a real socket on 127.0.0.1 from our encoders, read back by the SDK.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GoogleGenAI } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import { OutlastError } from '../../src/errors/index.ts';
import type { CanonicalRequest, CanonicalResponse, StreamPart } from '../../src/wire/canonical/index.ts';
import { geminiCodec } from '../../src/wire/gemini/index.ts';

interface Seen {
  url: string;
  apiKey: string | undefined;
  request: CanonicalRequest;
}

type Answer = (res: ServerResponse, seen: Seen) => void;

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(answer: Answer): Promise<{ client: GoogleGenAI; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      const url = req.url ?? '';
      const match = /\/models\/([^:/?]+):(generateContent|streamGenerateContent)/.exec(url);
      const request = geminiCodec.decodeRequest(JSON.parse(body), {
        pathModel: match?.[1],
        pathStream: match?.[2] === 'streamGenerateContent',
      });
      const entry = { url, apiKey: req.headers['x-goog-api-key'] as string | undefined, request };
      seen.push(entry);
      answer(res, entry);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new GoogleGenAI({
    apiKey: 'test-key',
    httpOptions: { baseUrl: `http://127.0.0.1:${port}` },
  });
  return { client, seen };
}

const answer: CanonicalResponse = {
  id: 'resp_1',
  model: 'gemini-2.5-flash',
  content: [
    { type: 'text', text: 'Checking Paris.' },
    { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'Paris' } },
  ],
  stopReason: 'tool_use',
  usage: { inputTokens: 30, outputTokens: 9, cacheReadTokens: 4 },
};

describe('@google/genai against our Gemini server side', () => {
  it('generateContent: reads text, function calls, finish reason and usage', async () => {
    const { client, seen } = await serve((res, s) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(geminiCodec.encodeResponse(answer, { model: s.request.model })));
    });
    const result = await client.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Weather in Paris?',
      config: { systemInstruction: 'Be brief.', maxOutputTokens: 64, temperature: 0.3 },
    });
    expect(seen[0]?.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(seen[0]?.apiKey).toBe('test-key');
    expect(seen[0]?.request).toMatchObject({
      model: 'gemini-2.5-flash',
      system: [{ type: 'text', text: 'Be brief.' }],
      maxTokens: 64,
      temperature: 0.3,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] }],
    });
    expect(result.text).toBe('Checking Paris.');
    expect(result.functionCalls).toEqual([{ name: 'get_weather', args: { location: 'Paris' } }]);
    expect(result.candidates?.[0]?.finishReason).toBe('STOP');
    expect(result.usageMetadata).toMatchObject({
      promptTokenCount: 34,
      candidatesTokenCount: 9,
      totalTokenCount: 43,
      cachedContentTokenCount: 4,
    });
    expect(result.responseId).toBe('resp_1');
  });

  it('generateContentStream: yields each frame, the last with finishReason and usage', async () => {
    const parts: StreamPart[] = [
      { type: 'message_start', id: 'resp_2', model: 'x', usage: { inputTokens: 12 } },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'block_delta', index: 0, delta: { type: 'text', text: 'Light rain' } },
      { type: 'block_delta', index: 0, delta: { type: 'text', text: ' in Paris.' } },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'tool_use', id: 't1', name: 'log' } },
      { type: 'block_delta', index: 1, delta: { type: 'tool_input', partialJson: '{"ok":' } },
      { type: 'block_delta', index: 1, delta: { type: 'tool_input', partialJson: 'true}' } },
      { type: 'block_stop', index: 1 },
      { type: 'message_delta', stopReason: 'tool_use', usage: { outputTokens: 7 } },
      { type: 'message_stop' },
    ];
    const { client, seen } = await serve((res, s) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const encoder = geminiCodec.createStreamEncoder({ model: s.request.model });
      res.write(encoder.keepAlive());
      for (const part of parts) res.write(encoder.encode(part));
      res.end(encoder.end());
    });
    const chunks = [];
    for await (const chunk of await client.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'Hi',
    }))
      chunks.push(chunk);
    expect(seen[0]?.url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(seen[0]?.request.stream).toBe(true);
    expect(chunks.map((c) => c.text ?? '').join('')).toBe('Light rain in Paris.');
    const last = chunks.at(-1)!;
    expect(last.functionCalls).toEqual([{ name: 'log', args: { ok: true } }]);
    expect(last.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last.usageMetadata).toMatchObject({
      promptTokenCount: 12,
      candidatesTokenCount: 7,
      totalTokenCount: 19,
    });
    expect(last.responseId).toBe('resp_2');
  });

  it('generateContentStream: thoughts arrive as thought parts, the signature on the answer part', async () => {
    const parts: StreamPart[] = [
      { type: 'message_start', id: 'resp_3', model: 'x', usage: { inputTokens: 3 } },
      { type: 'block_start', index: 0, block: { type: 'thinking' } },
      { type: 'block_delta', index: 0, delta: { type: 'thinking', thinking: 'Considering.' } },
      { type: 'block_delta', index: 0, delta: { type: 'signature', signature: 'c2ln' } },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'block_delta', index: 1, delta: { type: 'text', text: 'Done.' } },
      { type: 'block_stop', index: 1 },
      { type: 'message_delta', stopReason: 'end_turn', usage: { outputTokens: 9, reasoningTokens: 5 } },
      { type: 'message_stop' },
    ];
    const { client } = await serve((res, s) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const encoder = geminiCodec.createStreamEncoder({ model: s.request.model });
      for (const part of parts) res.write(encoder.encode(part));
      res.end();
    });
    const chunks = [];
    for await (const chunk of await client.models.generateContentStream({ model: 'g', contents: 'Hi' }))
      chunks.push(chunk);
    const all = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []);
    expect(all.filter((p) => p.thought).map((p) => p.text)).toEqual(['Considering.']);
    expect(all.find((p) => p.text === 'Done.')?.thoughtSignature).toBe('c2ln');
    expect(chunks.at(-1)?.usageMetadata).toMatchObject({ candidatesTokenCount: 4, thoughtsTokenCount: 5 });
  });

  it('an encoded error reaches the SDK as ApiError with our status and body', async () => {
    const { client } = await serve((res) => {
      const encoded = geminiCodec.encodeError(
        new OutlastError({
          kind: 'rate_limited',
          message: 'slow down',
          providerMessage: 'Quota exceeded',
          retryAfterMs: 2000,
        }),
      );
      res.writeHead(encoded.status, encoded.headers);
      res.end(encoded.body);
    });
    const failure = await client.models
      .generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ name: 'ApiError', status: 429 });
    const body = JSON.parse((failure as Error).message) as { error: { status: string; message: string } };
    expect(body.error).toMatchObject({ status: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded', code: 429 });
  });

  it('an in-band stream error frame reaches the SDK as ApiError mid-stream', async () => {
    const { client } = await serve((res, s) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const encoder = geminiCodec.createStreamEncoder({ model: s.request.model });
      res.write(encoder.encode({ type: 'message_start', id: 'r', model: 'x' }));
      res.write(encoder.encode({ type: 'block_start', index: 0, block: { type: 'text' } }));
      res.write(encoder.encode({ type: 'block_delta', index: 0, delta: { type: 'text', text: 'Part' } }));
      res.end(
        encoder.encode({ type: 'error', error: new OutlastError({ kind: 'overloaded', message: 'busy' }) }),
      );
    });
    const texts: string[] = [];
    const failure = await (async () => {
      for await (const chunk of await client.models.generateContentStream({ model: 'g', contents: 'Hi' }))
        texts.push(chunk.text ?? '');
    })().catch((e: unknown) => e);
    expect(texts).toEqual(['Part']);
    expect(failure).toMatchObject({ name: 'ApiError', status: 503 });
  });
});
