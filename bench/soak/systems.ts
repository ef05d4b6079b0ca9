/**
 * The three systems the soak puts the same load through, each against its own mock:
 * (a) the outlast gateway with its defaults, (b) the same with breakers and the retry budget
 * off, (c) the guide's retry-then-fall-back loop over the three providers' SDKs. Each answers
 * `call(request, signal)` with what the caller received, read the strict way (read-answer.ts).
 */
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type ChainResult, createGuideChain } from '../baselines/guide-chain.ts';
import { readyLine, type Service, spawnService } from '../lib/child.ts';
import { describe, type Received, readAnswer } from './read-answer.ts';
import { plainAsk, ROUTE_NAME, type SoakRequest } from './requests.ts';
import { MODELS, ROUTE_ORDER } from './scenario.ts';

export interface CallResult {
  received: Received;
  /** The model whose answer it is (or the route's first, for an error). */
  model: string;
  /** Upstream attempts the call made, as the system reports them. */
  attempts: number | undefined;
  /** Ours: the gateway's x-outlast-request-id; for the loop, the last upstream request id seen. */
  requestId: string | undefined;
  /** For the loop: each attempt, to report a wrong answer with. */
  chain?: ChainResult['attempts'];
}

export interface SoakSystem {
  call(req: SoakRequest, signal: AbortSignal): Promise<CallResult>;
  /** The gateway's trace file (one JSON line per attempt and per call), when there is one. */
  traceFile?: string;
  close(): Promise<void>;
}

export interface SoakSystemSpec {
  key: string;
  label: string;
  config: string;
  start(mockUrl: string): Promise<SoakSystem>;
}

/** What the loop's SDKs get per request: outlast's headers / first-token budget for this profile. */
export const BASELINE_TIMEOUT_MS = 10_000;

function outlastConfig(mockUrl: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    providers: {
      anthropic: { type: 'anthropic', baseURL: mockUrl, apiKey: 'k9Qz7Xw2Rv5Tj' },
      openai: { type: 'openai', baseURL: `${mockUrl}/v1`, apiKey: 'k9Qz7Xw2Rv5Tj' },
      gemini: { type: 'gemini', baseURL: mockUrl, apiKey: 'k9Qz7Xw2Rv5Tj' },
    },
    routes: { [ROUTE_NAME]: ROUTE_ORDER.map((f) => `${f}/${MODELS[f]}`) },
    logging: { level: 'error' },
    ...extra,
  };
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

async function startOutlast(
  mockUrl: string,
  key: string,
  extra: Record<string, unknown>,
): Promise<SoakSystem> {
  const traceFile = `${tmpdir()}/outlast-soak-${key}-${process.pid}-${Date.now()}.jsonl`;
  const gateway: Service = await spawnService({
    name: `outlast-gateway (${key})`,
    args: [
      here('./gateway-child.ts'),
      '--config',
      JSON.stringify(outlastConfig(mockUrl, extra)),
      '--trace',
      traceFile,
    ],
    readyFromLine: readyLine,
  });
  return {
    traceFile,
    call: async (req, signal) => {
      const path = req.dialect === 'anthropic' ? '/v1/messages' : '/v1/chat/completions';
      const headers: Record<string, string> =
        req.dialect === 'anthropic'
          ? { 'content-type': 'application/json', 'x-api-key': 'soak', 'anthropic-version': '2023-06-01' }
          : { 'content-type': 'application/json', authorization: 'Bearer soak' };
      let received: Received;
      try {
        const res = await fetch(`${gateway.url}${path}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(req.body),
          signal,
        });
        received = await readAnswer(req.dialect, req.stream, res);
      } catch (err) {
        received = {
          outcome: 'broken',
          status: 0,
          headers: {},
          text: '',
          toolCalls: [],
          stopReason: undefined,
          problem: describe(err),
        };
      }
      if (signal.aborted && received.outcome !== 'answer')
        received = {
          ...received,
          outcome: 'broken',
          problem: `harness deadline: ${received.problem ?? received.error?.message}`,
        };
      const answered = received.headers['x-outlast-model']?.split('/').slice(1).join('/');
      const attempts = Number(received.headers['x-outlast-attempts']);
      return {
        received,
        model: answered || MODELS.anthropic,
        attempts: Number.isFinite(attempts) && received.headers['x-outlast-attempts'] ? attempts : undefined,
        requestId: received.headers['x-outlast-request-id'],
      };
    },
    close: () => gateway.close(),
  };
}

const STOP_IN: Record<'anthropic' | 'openai', Record<string, string>> = {
  anthropic: { end_turn: 'end_turn', tool_use: 'tool_use', max_tokens: 'max_tokens' },
  openai: { end_turn: 'stop', tool_use: 'tool_calls', max_tokens: 'length' },
};

async function startGuideChain(mockUrl: string): Promise<SoakSystem> {
  const chain = createGuideChain({
    mockUrl,
    targets: ROUTE_ORDER.map((format) => ({ format, model: MODELS[format] })),
    timeoutMs: BASELINE_TIMEOUT_MS,
  });
  return {
    call: async (req, signal) => {
      const result = await chain(plainAsk(req), signal);
      const lastId = [...result.attempts].reverse().find((a) => a.requestId)?.requestId;
      const common = { attempts: result.attempts.length, requestId: lastId, chain: result.attempts };
      if (result.answer && signal.aborted) {
        // An SDK stream aborted by the harness may end quietly: the caller got no answer in time.
        return {
          ...common,
          model: result.answer.model,
          received: {
            outcome: 'broken',
            status: 0,
            headers: {},
            text: '',
            toolCalls: [],
            stopReason: undefined,
            problem: `harness deadline (the SDK's stream ended quietly with ${result.answer.text.length} chars)`,
          },
        };
      }
      if (result.answer) {
        const a = result.answer;
        return {
          ...common,
          model: a.model,
          received: {
            outcome: 'answer',
            status: 200,
            headers: {},
            text: a.text,
            toolCalls: a.toolCalls.map((c) => ({
              name: c.name,
              raw: JSON.stringify(c.input),
              input: c.input,
            })),
            stopReason:
              a.stopReason === undefined ? undefined : (STOP_IN[req.dialect][a.stopReason] ?? a.stopReason),
          },
        };
      }
      const e = result.error!;
      return {
        ...common,
        model: MODELS.anthropic,
        received: {
          outcome: e.typed ? 'typed_error' : 'broken',
          status: e.status ?? 0,
          headers: {},
          text: '',
          toolCalls: [],
          stopReason: undefined,
          ...(e.typed
            ? { error: { type: String(e.status ?? 'exhausted'), message: e.message, inStream: false } }
            : { problem: e.message }),
        },
      };
    },
    close: async () => {},
  };
}

export const SOAK_SYSTEMS: SoakSystemSpec[] = [
  {
    key: 'outlast',
    label: '(a) outlast, defaults',
    config:
      'gateway (child process), route anthropic → openai → gemini on the mock, every other option at its default',
    start: (url) => startOutlast(url, 'outlast', {}),
  },
  {
    key: 'outlast-no-breakers',
    label: '(b) outlast, breakers and retry budget off',
    config: 'as (a) with breaker: false, retry: { budget: false }',
    start: (url) => startOutlast(url, 'outlast-no-breakers', { breaker: false, retry: { budget: false } }),
  },
  {
    key: 'guide-loop',
    label: "(c) the guide's retry-and-fall-back loop",
    config: `bench/baselines/guide-chain.ts: claude → gpt → gemini, 2 attempts each; 429 waits 2^n + U(0,1) s, 500/502/503/529 wait 3 s, anything else raised; @anthropic-ai/sdk and openai (maxRetries 0), @google/genai (no retryOptions), ${BASELINE_TIMEOUT_MS / 1000} s SDK timeout`,
    start: startGuideChain,
  },
];
