/**
 * Fuzzing every endpoint with fast-check (issue 15): valid bodies mutated (a field replaced by
 * any JSON value, removed, or an unknown one added), arbitrary JSON and arbitrary text as
 * bodies, and arbitrary methods and paths. The gateway never answers a client's bad input
 * with a 5xx, answers every refusal in JSON with a message (naming the field when a top-level
 * one was broken), and keeps serving. Bounded: FUZZ_RUNS per property (default below), a fixed
 * seed (OUTLAST_FUZZ_SEED to vary it); the counts and the time are printed at the end.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/index.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

const RUNS = { mutated: 80, json: 40, text: 25, paths: 80 };
const SEED = Number(process.env.OUTLAST_FUZZ_SEED ?? 20_261_208);

interface Endpoint {
  readonly name: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;
}

const user = [{ role: 'user', content: 'hi' }];
const ENDPOINTS: Endpoint[] = [
  {
    name: 'messages',
    path: '/v1/messages',
    body: { model: 'default', max_tokens: 16, messages: user },
    headers: { 'anthropic-version': '2023-06-01' },
  },
  {
    name: 'chat',
    path: '/v1/chat/completions',
    body: { model: 'default', max_tokens: 16, messages: user },
    headers: {},
  },
  {
    name: 'responses',
    path: '/v1/responses',
    body: { model: 'default', max_output_tokens: 16, input: 'hi' },
    headers: {},
  },
  {
    name: 'gemini',
    path: '/v1beta/models/default:generateContent',
    body: {
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      generationConfig: { maxOutputTokens: 16 },
    },
    headers: {},
  },
  {
    name: 'embeddings',
    path: '/v1/embeddings',
    body: { model: 'openai/text-embedding-3-small', input: 'hi' },
    headers: {},
  },
  {
    name: 'count_tokens',
    path: '/v1/messages/count_tokens',
    body: { model: 'default', messages: user },
    headers: { 'anthropic-version': '2023-06-01' },
  },
];

let harness: Harness;
let gateway: Gateway;
const counts: Record<string, number> = {};
const startedAt = performance.now();
beforeAll(async () => {
  harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 3 } });
  gateway = await harness.start({ routes: { default: ['anthropic/claude-sonnet-4-5'] } });
});
afterAll(async () => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  process.stdout.write(
    `fuzz: ${total} requests in ${Math.round(performance.now() - startedAt)} ms (${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})\n`,
  );
  await harness.close();
});

async function send(endpoint: Endpoint, body: string, method = 'POST', path = endpoint.path) {
  counts[endpoint.name] = (counts[endpoint.name] ?? 0) + 1;
  const res = await fetch(`${gateway.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${GATEWAY_KEY}`,
      'x-goog-api-key': GATEWAY_KEY,
      'content-type': 'application/json',
      ...endpoint.headers,
    },
    ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
  });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

/** Every refusal is JSON with a message in one of the three shapes. */
function messageOf(text: string): string {
  const parsed = JSON.parse(text) as {
    error?: { message?: string } | Array<{ error?: { message?: string } }>;
  };
  const error = Array.isArray(parsed) ? parsed[0]?.error : parsed.error;
  const message = (Array.isArray(error) ? undefined : error?.message) ?? '';
  expect(message.length, `no message in ${text.slice(0, 200)}`).toBeGreaterThan(0);
  return message;
}

function expectNoServerError(answer: { status: number; text: string }, what: string) {
  expect(answer.status, `${what} → ${answer.status} ${answer.text.slice(0, 300)}`).toBeLessThan(500);
  if (answer.status >= 400) messageOf(answer.text);
}

/** Paths to every value in a body, for the mutations to aim at. */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))].filter((p) => p.length > 0);
}

type Mutation =
  | { kind: 'replace'; path: string[]; value: unknown }
  | { kind: 'delete'; path: string[] }
  | { kind: 'add'; key: string; value: unknown };

function mutate(body: Record<string, unknown>, m: Mutation): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  if (m.kind === 'add') {
    copy[m.key] = m.value;
    return copy;
  }
  let parent: Record<string, unknown> = copy;
  for (const key of m.path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  const last = m.path[m.path.length - 1] as string;
  if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = m.value;
  return copy;
}

const mutationOf = (body: Record<string, unknown>): fc.Arbitrary<Mutation> => {
  const paths = pathsOf(body);
  return fc.oneof(
    fc.record({
      kind: fc.constant('replace' as const),
      path: fc.constantFrom(...paths),
      value: fc.jsonValue({ maxDepth: 3 }),
    }),
    fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...paths) }),
    fc.record({
      kind: fc.constant('add' as const),
      key: fc.string({ minLength: 1, maxLength: 12 }),
      value: fc.jsonValue({ maxDepth: 2 }),
    }),
  );
};

describe('fuzz: the gateway never answers bad input with a 5xx', () => {
  it.each(ENDPOINTS.map((e) => [e.name, e] as const))(
    '%s: the valid body is served',
    async (_name, endpoint) => {
      const answer = await send(endpoint, JSON.stringify(endpoint.body));
      expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    },
  );

  it.each(ENDPOINTS.map((e) => [e.name, e] as const))(
    '%s: mutated valid bodies, arbitrary JSON and arbitrary text',
    async (_name, endpoint) => {
      await fc.assert(
        fc.asyncProperty(mutationOf(endpoint.body), async (m) => {
          const answer = await send(endpoint, JSON.stringify(mutate(endpoint.body, m)));
          expectNoServerError(answer, `${endpoint.name} ${JSON.stringify(m).slice(0, 200)}`);
          // A broken top-level field is named (a body refused for one of its fields says which).
          if (answer.status === 400 && m.kind !== 'add' && m.path.length === 1) {
            expect(messageOf(answer.text), JSON.stringify(m).slice(0, 200)).toContain(m.path[0]);
          }
        }),
        { numRuns: RUNS.mutated, seed: SEED },
      );
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
          expectNoServerError(await send(endpoint, JSON.stringify(value)), `${endpoint.name} json`);
        }),
        { numRuns: RUNS.json, seed: SEED },
      );
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 200, unit: 'binary' }), async (text) => {
          expectNoServerError(await send(endpoint, text), `${endpoint.name} text`);
        }),
        { numRuns: RUNS.text, seed: SEED },
      );
    },
    60_000,
  );

  it('arbitrary methods and paths get a 4xx in JSON, never a 5xx', async () => {
    const endpoint: Endpoint = { name: 'paths', path: '/', body: {}, headers: {} };
    const segment = fc.stringMatching(/^[A-Za-z0-9._:~%-]{0,12}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('', '/v1', '/v1beta/models', '/v1/models'),
        async (method, segments, base) => {
          const path = `${base}/${segments.map(encodeURIComponent).join('/')}`;
          const answer = await send(endpoint, '{}', method, path);
          expect(
            answer.status,
            `${method} ${path} → ${answer.status} ${answer.text.slice(0, 200)}`,
          ).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS.paths, seed: SEED },
    );
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  }, 60_000);
});
