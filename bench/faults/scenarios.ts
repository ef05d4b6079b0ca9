/**
 * The fault scenarios, scaled down so the suite stays bounded: windows of seconds instead of
 * minutes, tens of requests instead of thousands. Each names the mock scenario (per-model fault
 * rules with probabilities and time windows, drawn from a fixed seed) and the arrival schedule:
 * `requests` calls started `intervalMs` apart (open loop, the same instants for every system).
 * Primary and fallback share a `textKey`, so a complete answer is the same text whichever
 * model gave it.
 */
export const PRIMARY = 'claude-primary';
export const FALLBACK = 'claude-fallback';
export const TEXT_KEY = 'bench-answer';
export const ANSWER_TOKENS = 80;
export const SEED = 20_260_101;

export interface FaultScenario {
  name: string;
  /** What it models, and how it was scaled. */
  description: string;
  requests: number;
  intervalMs: number;
  primaryFaults: unknown[];
  fallbackFaults?: unknown[];
  /** The mock's token bucket in front of each model (`rateLimit` in src/mock/README.md). */
  primaryRateLimit?: RateLimit;
  fallbackRateLimit?: RateLimit;
}

export interface RateLimit {
  capacity: number;
  refillPerSecond: number;
}

const model = (faults: unknown[] | undefined, rateLimit?: RateLimit) => ({
  firstTokenMs: 50,
  tokenMs: 5,
  answerTokens: ANSWER_TOKENS,
  textKey: TEXT_KEY,
  ...(faults && faults.length > 0 ? { faults } : {}),
  ...(rateLimit ? { rateLimit } : {}),
});

export function mockScenario(s: FaultScenario): unknown {
  return {
    name: `bench-${s.name}`,
    seed: SEED,
    strictModels: true,
    models: {
      [PRIMARY]: model(s.primaryFaults, s.primaryRateLimit),
      [FALLBACK]: model(s.fallbackFaults, s.fallbackRateLimit),
    },
  };
}

/** The reference mock: same text and lengths, no latency (it only tells what a full answer is). */
export function healthyScenario(): unknown {
  const fast = { firstTokenMs: 0, tokenMs: 0, answerTokens: ANSWER_TOKENS, textKey: TEXT_KEY };
  return {
    name: 'bench-reference',
    seed: SEED,
    strictModels: true,
    models: { [PRIMARY]: fast, [FALLBACK]: fast },
  };
}

export const SCENARIOS: FaultScenario[] = [
  {
    name: 'rate-limit-storm',
    description:
      'primary answers 429 retry-after=2 to 80% of calls for the first 6 s, the fallback 429 retry-after=1 to 20% throughout; 30 calls 200 ms apart (a minutes-long storm scaled to 6 s)',
    requests: 30,
    intervalMs: 200,
    primaryFaults: [{ fault: '429 retry-after=2', probability: 0.8, from: 0, to: '6s' }],
    fallbackFaults: [{ fault: '429 retry-after=1', probability: 0.2 }],
  },
  {
    name: 'outage-recovers',
    description:
      'primary answers 529 overloaded to every call for the first 6 s, then recovers; 40 calls 300 ms apart (an outage of minutes scaled to 6 s)',
    requests: 40,
    intervalMs: 300,
    primaryFaults: [{ fault: '529', from: 0, to: '6s' }],
  },
  {
    name: 'brownout',
    description:
      'primary: 30% of calls 500, 30% of the rest wait 8 s for the first token (past the 5 s budget); 40 calls 200 ms apart',
    requests: 40,
    intervalMs: 200,
    primaryFaults: [
      { fault: '500', probability: 0.3 },
      { fault: 'slow first=8s', probability: 0.3 },
    ],
  },
  {
    name: 'silent-sockets',
    description:
      'primary: 30% of calls accepted and never answered, 20% of the rest send 200 + headers then nothing; 30 calls 200 ms apart',
    requests: 30,
    intervalMs: 200,
    primaryFaults: [
      { fault: 'hang', probability: 0.3 },
      { fault: 'silence', probability: 0.2 },
    ],
  },
  {
    name: 'stream-cut',
    description:
      'primary: 40% of streams cut after 20 tokens (socket destroyed, no terminal event), 15% of the rest end with an in-band overloaded error after 30 tokens; 30 calls 200 ms apart',
    requests: 30,
    intervalMs: 200,
    primaryFaults: [
      { fault: 'cut after=20', probability: 0.4 },
      { fault: 'error_event at=30 error=overloaded', probability: 0.15 },
    ],
  },
  {
    name: 'stream-stall',
    description:
      'primary: 40% of streams stall for 8 s after 20 tokens (past the 5 s budget), then finish; 30 calls 200 ms apart',
    requests: 30,
    intervalMs: 200,
    primaryFaults: [{ fault: 'stall after=20 ms=8s', probability: 0.4 }],
  },
  {
    name: 'limiter-burst',
    description:
      'many concurrent clients against a provider-side rate limiter: 60 calls within 0.3 s; primary and fallback each sit behind a token bucket of 15 requests refilling 10 a second, and a call that finds it empty gets 429 with retry-after (the wait to the next token, rounded up to 1 s) and takes no token; the burst is twice what the two buckets hold, so its last calls are served only after ~1.5 s of refill, to clients that wait for it',
    requests: 60,
    intervalMs: 5,
    primaryFaults: [],
    primaryRateLimit: { capacity: 15, refillPerSecond: 10 },
    fallbackRateLimit: { capacity: 15, refillPerSecond: 10 },
  },
];
