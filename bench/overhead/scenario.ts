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
} as const;

export function overheadScenario(): unknown {
  return {
    name: 'bench-overhead',
    models: {
      [OVERHEAD_MODELS.fast]: { firstTokenMs: 0, tokenMs: 0, answerTokens: 128 },
      [OVERHEAD_MODELS.slow]: { firstTokenMs: 0, tokenMs: 100, answerTokens: OVERHEAD_MODELS.slowTokens },
    },
  };
}
