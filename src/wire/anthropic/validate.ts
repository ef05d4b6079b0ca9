// The shared zod boundary helpers, with this codec's name in its invalid-response messages.
import type { OutlastError } from '../../errors/index.ts';
import { invalidResponseFrom } from '../shared/validate.ts';

export { badRequest, parseWith } from '../shared/validate.ts';

/** A response body or stream event this codec cannot read. */
export function invalidResponse(reason: string, cause?: unknown): OutlastError {
  return invalidResponseFrom('anthropic', reason, cause);
}
