/**
 * The faults picked for one request folded into what the responders act on: one outcome
 * (the first fault that is not latency) plus the latency every `slow` fault adds up to.
 */

import type { ResolvedModel } from './fault-picker.ts';
import type { Fault } from './fault-spec.ts';

export type OutcomeFault = Exclude<Fault, { type: 'slow' }>;

export interface FaultPlan {
  outcome: OutcomeFault | undefined;
  firstTokenMs: number;
  tokenMs: number;
}

export function planFaults(
  faults: readonly Fault[],
  model: Pick<ResolvedModel, 'firstTokenMs' | 'tokenMs'>,
): FaultPlan {
  let outcome: OutcomeFault | undefined;
  let { firstTokenMs, tokenMs } = model;
  for (const fault of faults) {
    if (fault.type === 'slow') {
      if (fault.firstTokenMs !== undefined) firstTokenMs = fault.firstTokenMs;
      if (fault.tokenMs !== undefined) tokenMs = fault.tokenMs;
    } else {
      outcome ??= fault;
    }
  }
  return { outcome, firstTokenMs, tokenMs };
}
