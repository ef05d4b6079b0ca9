/**
 * The messages breaker states and cooldowns travel in between a cluster's primary and its
 * workers (node:cluster IPC). Both ends are our own processes, so the messages are only told
 * apart from others on the channel by `ns`, not validated field by field.
 */
import type { BreakerState, CooldownEntry } from '../policy/index.ts';

export const STATE_NS = 'outlast:state';

export type StateMessage =
  /** A breaker transition (worker → primary), or one another worker made (primary → worker). */
  | { readonly ns: typeof STATE_NS; readonly t: 'b'; readonly k: string; readonly v: BreakerState }
  /** A cooldown set or extended. */
  | { readonly ns: typeof STATE_NS; readonly t: 'c'; readonly k: string; readonly v: CooldownEntry }
  /** A cooldown lifted early; `until` is the end it had, so a later extension survives. */
  | { readonly ns: typeof STATE_NS; readonly t: 'cd'; readonly k: string; readonly until: number }
  /** A worker's store is listening (worker → primary): send it everything. */
  | { readonly ns: typeof STATE_NS; readonly t: 'hello' }
  /** Everything the primary holds (primary → a worker that said hello). */
  | {
      readonly ns: typeof STATE_NS;
      readonly t: 'snapshot';
      readonly breakers: ReadonlyArray<readonly [string, BreakerState]>;
      readonly cooldowns: ReadonlyArray<readonly [string, CooldownEntry]>;
    };

/** One end of an IPC link: `process` in a worker, a `cluster.Worker` in the primary. */
export interface StateChannel {
  send(message: StateMessage): void;
  /** Hears every message on the link (ours and others'); returns the unsubscribe. */
  onMessage(listener: (message: unknown) => void): () => void;
}

export function isStateMessage(message: unknown): message is StateMessage {
  return typeof message === 'object' && message !== null && (message as { ns?: unknown }).ns === STATE_NS;
}
