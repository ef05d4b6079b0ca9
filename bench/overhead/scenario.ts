/**
 * The mock scenario for the overhead suite: a fast model with no artificial latency (so what is
 * measured is the hop, not the mock's pacing) and a slow-streaming model that keeps streams
 * open long enough to hold 1,000 of them at once.
 */
export const OVERHEAD_MODELS = {
  fast: 'bench-fast',
  slow: 'bench-slow',
  /** Tokens asked of the slow model: at 100 ms a token the stream stays open ~20 s. */
  slowTokens: 200,
  /** For the 10,000-stream run: at 100 ms a token a stream stays open ~90 s, while all open. */
  slowLong: 'bench-slow-long',
  slowLongTokens: 900,
} as const;

/** Answer lengths of the linearity table (issue 20), each a model of the mock with no pacing. */
export const LINEARITY_TOKENS = [100, 1000, 10_000] as const;

/** The mock's model whose answers are `tokens` long (the gateway's route of the same name). */
export function tokenModel(tokens: number): string {
  return `bench-tokens-${tokens}`;
}

export function overheadScenario(): unknown {
  return {
    name: 'bench-overhead',
    models: {
      [OVERHEAD_MODELS.fast]: { firstTokenMs: 0, tokenMs: 0, answerTokens: 128 },
      [OVERHEAD_MODELS.slow]: { firstTokenMs: 0, tokenMs: 100, answerTokens: OVERHEAD_MODELS.slowTokens },
      [OVERHEAD_MODELS.slowLong]: {
        firstTokenMs: 0,
        tokenMs: 100,
        answerTokens: OVERHEAD_MODELS.slowLongTokens,
      },
      ...Object.fromEntries(
        LINEARITY_TOKENS.map((n) => [tokenModel(n), { firstTokenMs: 0, tokenMs: 0, answerTokens: n }]),
      ),
    },
  };
}
