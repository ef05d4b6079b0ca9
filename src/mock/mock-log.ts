/**
 * The record of every provider request the mock served, for tests to assert on and for
 * `GET /_mock/log`. Bounded: past `limit` entries the oldest are dropped (and counted), so
 * a long benchmark does not grow memory without end.
 */
import type { WireFormat } from '../wire/canonical/index.ts';

export interface MockLogEntry {
  /** 1, 2, 3… in arrival order since start or reset. */
  seq: number;
  /** ISO time the request arrived. */
  time: string;
  /** Milliseconds since start or reset (the clock of time windows). */
  elapsedMs: number;
  method: string;
  path: string;
  format: WireFormat | undefined;
  model: string | undefined;
  /** 1 for the first request to this model since start or reset. */
  attempt: number | undefined;
  /** The faults applied, in header syntax; undefined when healthy. A request the limiter refused shows its 429 here. */
  fault: string | undefined;
  /** `limiter`: the model's rate limit refused the request (no fault was drawn for it). */
  faultSource: 'header' | 'scenario' | 'limiter' | undefined;
  /** Which scenario rule fired (`models.<key>.rateLimit` for the limiter). */
  rule: string | undefined;
  /** `prefill`: the last turn was the assistant's; `continue`: a user turn asked to go on. */
  continuation: 'prefill' | 'continue' | undefined;
  /** The partial answer was the start of the mock's own answer (so the rest reassembles exactly). */
  continuationMatched: boolean | undefined;
  /**
   * Which behaviour answered the continuation, in `x-mock-continuation` syntax (`full_restart`,
   * `overlap`, `complete_note`, `prefill_rejected`); undefined when it was not the mock's own answer.
   */
  continuationBehaviour: string | undefined;
  stream: boolean;
  /** HTTP status sent; undefined when no headers went out (reset, hang). */
  status: number | undefined;
  /** Content tokens written to the socket. */
  tokensSent: number;
  /** The client went away before the mock finished answering. */
  disconnected: boolean;
  /** Until the response ended or the socket closed; undefined while in flight. */
  durationMs: number | undefined;
  requestId: string;
  /** Why the request was refused, for 4xx of the mock's own (bad JSON, missing fields). */
  error: string | undefined;
}

export interface MockLog {
  add(entry: MockLogEntry): void;
  entries(): MockLogEntry[];
  /** Entries dropped because of the limit since the last clear. */
  readonly dropped: number;
  clear(): void;
}

export function createMockLog(limit = 50_000): MockLog {
  let list: MockLogEntry[] = [];
  let dropped = 0;
  return {
    add(entry) {
      list.push(entry);
      // Trim in batches so each add stays O(1) amortised.
      if (list.length > limit + Math.ceil(limit / 10)) {
        const excess = list.length - limit;
        list = list.slice(excess);
        dropped += excess;
      }
    },
    entries() {
      const start = Math.max(0, list.length - limit);
      return list.slice(start).map((e) => ({ ...e }));
    },
    get dropped() {
      return dropped + Math.max(0, list.length - limit);
    },
    clear() {
      list = [];
      dropped = 0;
    },
  };
}
