/**
 * Single OpenAI-shaped chat calls for checking what a system relays (the same text as the mock
 * directly, the same number of streamed deltas) and for measuring latency one request at a time
 * with sub-millisecond resolution, which autocannon's millisecond histogram cannot give.
 */
import { Agent, request } from 'undici';
import { type Summary, summarize } from './stats.ts';

export interface ChatTarget {
  name: string;
  /** Full URL of the chat completions endpoint. */
  url: string;
  headers: Record<string, string>;
  model: string;
}

export interface ProbeResult {
  status: number;
  text: string;
  /** Streamed content deltas (non-streaming: 0). */
  deltas: number;
  ms: number;
  error?: string;
}

export function chatBody(
  model: string,
  maxTokens: number,
  stream: boolean,
  prompt = 'benchmark prompt',
): string {
  return JSON.stringify({
    model,
    max_tokens: maxTokens,
    stream,
    messages: [{ role: 'user', content: prompt }],
  });
}

interface ChatJson {
  choices?: Array<{ message?: { content?: string | null }; delta?: { content?: string | null } }>;
}

export function textOfSse(body: string): { text: string; deltas: number } {
  let text = '';
  let deltas = 0;
  for (const line of body.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '' || data === '[DONE]') continue;
    try {
      const chunk = JSON.parse(data) as ChatJson;
      const piece = chunk.choices?.[0]?.delta?.content;
      if (piece) {
        text += piece;
        deltas++;
      }
    } catch {
      // a malformed frame relays nothing usable; the text comparison will show it
    }
  }
  return { text, deltas };
}

const agent = new Agent({ keepAliveTimeout: 10_000, connections: 8 });

export async function probeChat(
  target: ChatTarget,
  maxTokens: number,
  stream: boolean,
): Promise<ProbeResult> {
  const started = performance.now();
  try {
    const res = await request(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...target.headers },
      body: chatBody(target.model, maxTokens, stream),
      dispatcher: agent,
      signal: AbortSignal.timeout(15_000),
    });
    const raw = await res.body.text();
    const ms = performance.now() - started;
    if (res.statusCode !== 200) {
      return {
        status: res.statusCode,
        text: '',
        deltas: 0,
        ms,
        error: `${res.statusCode} ${raw.slice(0, 200)}`,
      };
    }
    if (stream) return { status: 200, ...textOfSse(raw), ms };
    const json = JSON.parse(raw) as ChatJson;
    return { status: 200, text: json.choices?.[0]?.message?.content ?? '', deltas: 0, ms };
  } catch (err) {
    return { status: 0, text: '', deltas: 0, ms: performance.now() - started, error: String(err) };
  }
}

/** `count` requests one after another (after a short warm-up); whole-response latency in ms. */
export async function sequentialLatency(
  target: ChatTarget,
  maxTokens: number,
  stream: boolean,
  count: number,
  maxMs: number,
): Promise<Summary & { failures: number }> {
  for (let i = 0; i < 20; i++) await probeChat(target, maxTokens, stream);
  const samples: number[] = [];
  let failures = 0;
  const stopAt = performance.now() + maxMs;
  for (let i = 0; i < count && performance.now() < stopAt; i++) {
    const r = await probeChat(target, maxTokens, stream);
    if (r.status === 200) samples.push(r.ms);
    else failures++;
  }
  return { ...summarize(samples), failures };
}

export async function closeProbeAgent(): Promise<void> {
  await agent.close();
}
