/**
 * Atomic tool calls: a tool_use block's start and argument deltas are held until its
 * block_stop, then the caller gets block_start, one delta with the whole JSON, block_stop
 * (text and thinking still stream). A cut inside one drops it, so the answer can be continued
 * from the text before it and the continuation produces the whole call. The cost: the
 * arguments arrive in one piece, at the end of the block.
 */
import type { BlockStart } from '../../wire/canonical/index.ts';
import type { CallerAnswer } from './caller-answer.ts';
import type { CommitGate } from './commit-gate.ts';
import type { HeldToolCall, PieceRoutes } from './piece-routes.ts';

export function holdToolCall(start: Extract<BlockStart, { type: 'tool_use' }>): HeldToolCall {
  return { kind: 'tool', start, json: '' };
}

/** The held call is whole: it reaches the caller in one go, and commits. Returns its output index. */
export function sendHeldToolCall(held: HeldToolCall, answer: CallerAnswer, gate: CommitGate): number {
  const out = answer.startBlock(held.start);
  if (held.json !== '')
    gate.send({ type: 'block_delta', index: out, delta: { type: 'tool_input', partialJson: held.json } });
  answer.closeOpen();
  answer.stopContinuing();
  gate.commit();
  return out;
}

/** The arguments of the tool calls the piece still holds (dropped with it). */
export function heldToolJson(routes: PieceRoutes): string[] {
  const json: string[] = [];
  for (const route of routes.values()) if (route.kind === 'tool') json.push(route.json);
  return json;
}
