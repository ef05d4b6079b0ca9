/**
 * Newer Claude models (Opus 4.6 and later, Sonnet 4.6) refuse a request whose last message
 * is an assistant prefill with a 400 `invalid_request_error` reading "This model does not
 * support assistant message prefill. The conversation must end with a user message." (text
 * as reported by users of the API, e.g. in issues of opencode and llm-exe). The engine
 * recognises it to continue a broken stream another way on that target.
 */
import type { OutlastError } from '../../errors/index.ts';

const PREFILL_TEXT = /does not support assistant message prefill|conversation must end with a user message/i;

export function isPrefillRejection(error: OutlastError): boolean {
  if (error.kind !== 'bad_request') return false;
  if (error.status !== undefined && error.status !== 400) return false;
  return PREFILL_TEXT.test(error.providerMessage ?? error.message);
}
