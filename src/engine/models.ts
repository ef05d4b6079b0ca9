/**
 * What the engine knows of well-known models: context window (to skip a target too small
 * for a prompt), output limit, whether it continues an assistant prefill (stream recovery),
 * and list prices (for reports). Overridable per model with the `models` option.
 */
export interface ModelInfo {
  readonly contextWindow?: number;
  readonly maxOutputTokens?: number;
  readonly prefill?: boolean;
  /** USD per million input tokens. */
  readonly inputCostPerMtok?: number;
  /** USD per million output tokens. */
  readonly outputCostPerMtok?: number;
  /** An embedding model's family: vectors of one family are interchangeable, of two are not. */
  readonly family?: string;
}

// Public list prices and limits as the providers state them (2025–2026); a guide, not a bill.
export const BUILTIN_MODELS: Readonly<Record<string, ModelInfo>> = {
  // Claude Opus 4.6 rejects an assistant prefill with a 400, so recovery asks it to continue instead.
  'claude-opus-4-6': {
    contextWindow: 200_000,
    maxOutputTokens: 128_000,
    prefill: false,
    inputCostPerMtok: 5,
    outputCostPerMtok: 25,
  },
  'claude-sonnet-4-5': {
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    prefill: true,
    inputCostPerMtok: 3,
    outputCostPerMtok: 15,
  },
  'claude-haiku-4-5': {
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    prefill: true,
    inputCostPerMtok: 1,
    outputCostPerMtok: 5,
  },
  'gpt-4.1': {
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    prefill: false,
    inputCostPerMtok: 2,
    outputCostPerMtok: 8,
  },
  'gpt-4.1-mini': {
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    prefill: false,
    inputCostPerMtok: 0.4,
    outputCostPerMtok: 1.6,
  },
  'gpt-4o': {
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    prefill: false,
    inputCostPerMtok: 2.5,
    outputCostPerMtok: 10,
  },
  'gemini-2.5-pro': {
    contextWindow: 1_048_576,
    maxOutputTokens: 65_536,
    prefill: false,
    inputCostPerMtok: 1.25,
    outputCostPerMtok: 10,
  },
  'gemini-2.5-flash': {
    contextWindow: 1_048_576,
    maxOutputTokens: 65_536,
    prefill: false,
    inputCostPerMtok: 0.3,
    outputCostPerMtok: 2.5,
  },
  // Embedding models: one family each (the same model at OpenAI or Azure gives the same vectors).
  'text-embedding-3-small': { contextWindow: 8191, inputCostPerMtok: 0.02, family: 'text-embedding-3-small' },
  'text-embedding-3-large': { contextWindow: 8191, inputCostPerMtok: 0.13, family: 'text-embedding-3-large' },
  'text-embedding-ada-002': { contextWindow: 8191, inputCostPerMtok: 0.1, family: 'text-embedding-ada-002' },
  'gemini-embedding-001': { contextWindow: 2048, inputCostPerMtok: 0.15, family: 'gemini-embedding-001' },
};

export type ModelTable = (model: string) => ModelInfo;

/**
 * Lookup by exact id, then by the id without a date suffix (`claude-sonnet-4-5-20250929`).
 * Overrides win field by field.
 */
export function createModelTable(overrides: Readonly<Record<string, ModelInfo>> = {}): ModelTable {
  const base = (id: string): ModelInfo => {
    const exact = BUILTIN_MODELS[id];
    if (exact) return exact;
    const undated = id.replace(/-\d{8}$|-\d{4}-\d{2}-\d{2}$/, '');
    return BUILTIN_MODELS[undated] ?? {};
  };
  return (model) => ({ ...base(model), ...(overrides[model] ?? {}) });
}
