/** How a pass over targets (or one target's attempts, or a recovery) ended. */
import type { OutlastError } from '../../errors/index.ts';

export type Outcome =
  /** The caller has the whole answer (or, salvaged, what arrived of it). */
  | { readonly kind: 'done' }
  /** This target is done with: go on to the next. */
  | { readonly kind: 'next' }
  /** The call ends here: with this error, or (none given) with the one the ledger's attempts tell. */
  | { readonly kind: 'stop'; readonly error?: OutlastError };

export const DONE: Outcome = { kind: 'done' };
export const NEXT: Outcome = { kind: 'next' };
export const STOP: Outcome = { kind: 'stop' };
