/** The providers' public endpoints, written as each official SDK takes its `baseURL`. */
import type { ProviderType } from './config.ts';

export const DEFAULT_BASE_URLS: Readonly<Record<ProviderType, string>> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
  gemini: 'https://generativelanguage.googleapis.com',
};
