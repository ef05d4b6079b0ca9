// `outlast/ai-sdk`: outlast's engine as an AI SDK provider (needs the optional peers `ai` and `@ai-sdk/provider`).
export type { OutlastCallOptions } from './call-options.ts';
export {
  createOutlast,
  type OutlastProvider,
  type OutlastProviderDeps,
  type OutlastProviderOptions,
} from './create-outlast.ts';
