/**
 * The soak's calls: call i is the same request for every system (dialect, streaming or not, a
 * text answer or a forced tool call, its prompt), so the systems get the same load. Half go to
 * the Anthropic endpoint and half to OpenAI's, half of each streamed; one in four forces a
 * tool call (the mock writes Claude's "I'll look that up." before it); one in five carries
 * an earlier exchange and one in four a system prompt.
 */
export type Dialect = 'anthropic' | 'openai';
export type CallKind = 'text' | 'tool';

export interface SoakRequest {
  index: number;
  dialect: Dialect;
  stream: boolean;
  kind: CallKind;
  /** The body as the client sends it, with `model` the route's name. */
  body: Record<string, unknown>;
}

export const MAX_TOKENS = 400;
export const ROUTE_NAME = 'soak';

const TOPICS = [
  'how a client should handle an overloaded API',
  'why retries need jitter',
  'what a circuit breaker protects',
  'how to resume a broken stream',
  'the cost of a long timeout',
  'how rate limits are enforced',
  'why idempotency matters for retries',
  'how to pick a fallback model',
  'what a deadline across retries is for',
  'how to tell a slow model from a dead one',
  'why a partial answer is dangerous',
  'how to read a retry-after header',
];

const TOOL = {
  name: 'get_forecast',
  description: 'Get the weather forecast for a city.',
  schema: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer' }, metric: { type: 'boolean' } },
    required: ['city', 'days'],
  },
};

/** A small integer hash, so each call's shape is fixed by its index and nothing else. */
function mix(i: number, salt: number): number {
  let h = (i * 0x9e3779b1 + salt * 0x85ebca77) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export function soakRequest(index: number): SoakRequest {
  const dialect: Dialect = index % 2 === 0 ? 'anthropic' : 'openai';
  const stream = Math.floor(index / 2) % 2 === 0;
  const kind: CallKind = mix(index, 1) % 4 === 0 ? 'tool' : 'text';
  const topic = TOPICS[mix(index, 2) % TOPICS.length]!;
  const question =
    kind === 'tool'
      ? `Call ${index}: what will the weather be in the city of ${topic.split(' ').at(-1)} this week?`
      : `Call ${index}: explain in a few sentences ${topic}.`;
  const history = mix(index, 3) % 5 === 0;
  const system = mix(index, 4) % 4 === 0 ? 'You are a concise assistant for engineers.' : undefined;
  const turns: Array<{ role: 'user' | 'assistant'; content: string }> = history
    ? [
        { role: 'user', content: `Call ${index}: a warm-up question about ${topic}.` },
        { role: 'assistant', content: 'It depends on the provider, but the principles are shared.' },
        { role: 'user', content: question },
      ]
    : [{ role: 'user', content: question }];
  const body: Record<string, unknown> =
    dialect === 'anthropic'
      ? {
          model: ROUTE_NAME,
          max_tokens: MAX_TOKENS,
          ...(system ? { system } : {}),
          messages: turns,
          ...(kind === 'tool'
            ? {
                tools: [{ name: TOOL.name, description: TOOL.description, input_schema: TOOL.schema }],
                tool_choice: { type: 'any' },
              }
            : {}),
          ...(stream ? { stream: true } : {}),
        }
      : {
          model: ROUTE_NAME,
          max_tokens: MAX_TOKENS,
          messages: system ? [{ role: 'system', content: system }, ...turns] : turns,
          ...(kind === 'tool'
            ? {
                tools: [
                  {
                    type: 'function',
                    function: { name: TOOL.name, description: TOOL.description, parameters: TOOL.schema },
                  },
                ],
                tool_choice: 'required',
              }
            : {}),
          ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
        };
  return { index, dialect, stream, kind, body };
}

/** The request's conversation in plain terms, for the baseline that speaks each provider's own format. */
export interface PlainAsk {
  system: string | undefined;
  turns: Array<{ role: 'user' | 'assistant'; content: string }>;
  tool: typeof TOOL | undefined;
  maxTokens: number;
  stream: boolean;
}

export function plainAsk(req: SoakRequest): PlainAsk {
  const b = req.body as {
    system?: string;
    messages: Array<{ role: 'user' | 'assistant' | 'system'; content: string }>;
  };
  const system = b.system ?? b.messages.find((m) => m.role === 'system')?.content;
  const turns = b.messages.filter((m) => m.role !== 'system') as PlainAsk['turns'];
  return {
    system,
    turns,
    tool: req.kind === 'tool' ? TOOL : undefined,
    maxTokens: MAX_TOKENS,
    stream: req.stream,
  };
}
