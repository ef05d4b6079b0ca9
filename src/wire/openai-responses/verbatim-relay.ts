/**
 * A Responses API upstream's own events relayed to a Responses API caller unchanged (ids,
 * hosted tools' items, annotations, fields outlast does not model). What this follows of them
 * is what a failure after them needs to end the stream in the same voice: the next
 * `sequence_number` and the latest `Response` snapshot, for the `error` and `response.failed`
 * events OpenAI itself sends.
 */
import { clientMessageOf, type OutlastError } from '../../errors/index.ts';
import type { JsonObject, StreamPart } from '../canonical/index.ts';
import { openaiErrorBody } from '../openai/errors.ts';

export type VerbatimPart = Extract<StreamPart, { type: 'verbatim' }>;

export interface VerbatimRelay {
  /** Whether a relayed event has been seen: the stream is the upstream's from then on. */
  readonly active: boolean;
  /** A terminal event (completed, incomplete, failed) went out. */
  readonly ended: boolean;
  /** Takes note of one event; false when it is not to be relayed (another dialect's, or after the end). */
  note(part: VerbatimPart): boolean;
  /** The events of a failure after the relayed ones. */
  fail(error: OutlastError): JsonObject[];
}

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);
/** Events whose `response` is a snapshot of the whole Response. */
const SNAPSHOT = /^response\.(created|in_progress|queued|completed|incomplete|failed)$/;
const SEQUENCE = /"sequence_number":(\d+)/;

export function createVerbatimRelay(): VerbatimRelay {
  let active = false;
  let ended = false;
  let nextSequence = 0;
  let snapshotData: string | undefined;
  return {
    get active() {
      return active;
    },
    get ended() {
      return ended;
    },
    note(part) {
      if (part.dialect !== 'openai-responses' || ended) return false;
      active = true;
      const sequence = SEQUENCE.exec(part.data);
      nextSequence = sequence ? Number(sequence[1]) + 1 : nextSequence + 1;
      if (SNAPSHOT.test(part.event)) snapshotData = part.data;
      if (TERMINAL.has(part.event)) ended = true;
      return true;
    },
    fail(error) {
      if (ended) return [];
      ended = true;
      const { wire } = openaiErrorBody(error);
      const message = clientMessageOf(error);
      const code = wire.code ?? wire.type;
      const param = wire.param ?? null;
      const events: JsonObject[] = [
        {
          type: 'error',
          code,
          message,
          param,
          error: { type: wire.type, code, message, param },
          sequence_number: nextSequence++,
        },
      ];
      const snapshot = snapshotData
        ? (JSON.parse(snapshotData) as { response?: JsonObject }).response
        : undefined;
      if (snapshot)
        events.push({
          type: 'response.failed',
          response: {
            ...snapshot,
            status: 'failed',
            error: { code: error.kind === 'rate_limited' ? 'rate_limit_exceeded' : 'server_error', message },
          },
          sequence_number: nextSequence++,
        });
      return events;
    },
  };
}
