/**
 * Bytes of request bodies held at once (being read, or parsed and still being served). A
 * body that would take the total over the budget is refused at once with a retryable 503:
 * concurrent bodies near the size limit cost gigabytes otherwise.
 */
import { OutlastError, SPECIFIC_CODES } from '../../errors/index.ts';

export interface BodyBudget {
  /** Takes `bytes` from the budget, or throws the 503 naming the budget. */
  take(bytes: number): void;
  give(bytes: number): void;
  held(): number;
}

export function createBodyBudget(maxBytes: number): BodyBudget {
  let held = 0;
  return {
    take(bytes) {
      if (held + bytes > maxBytes) {
        throw new OutlastError({
          kind: 'overloaded',
          status: 503,
          retryable: true,
          retryAfterMs: 1000,
          code: SPECIFIC_CODES.BODY_BUDGET,
          message: `request bodies in flight would exceed ${maxBytes} bytes (server.largeBodyBudgetBytes; ${held} held now): retry shortly`,
        });
      }
      held += bytes;
    },
    give(bytes) {
      held = Math.max(0, held - bytes);
    },
    held: () => held,
  };
}
