/** Continuation behaviours written back as `x-mock-continuation` clauses, as the log and scenario dumps show them (parseable back). */
import type {
  Choice,
  CompleteBehaviour,
  ContinuationBehaviour,
  ContinueMode,
  InnerBehaviour,
  Mix,
  Sequence,
} from './continuation-spec.ts';

function formatInner(b: InnerBehaviour): string {
  const bits: string[] = [b.type];
  if ((b.type === 'overlap' || b.type === 'echo') && b.chars !== undefined) bits.push(`chars=${b.chars}`);
  if ('space' in b && b.space !== undefined) bits.push(`space=${b.space}`);
  return bits.join(' ');
}

const spaced = (raw: string): string => raw.replaceAll(' ', '+');

/** A mode's choice as clauses for that mode (parseable back). */
export function formatChoice(
  choice: Choice<ContinuationBehaviour> | Choice<CompleteBehaviour>,
  mode: ContinueMode,
  complete: boolean,
): string {
  const fallback = complete ? 'complete_default' : 'default';
  if (choice.type === 'sequence') {
    const sequence = choice as Sequence<ContinuationBehaviour | CompleteBehaviour>;
    const steps = sequence.steps.map(
      (step) =>
        `${step.behaviour ? formatBehaviour(step.behaviour) : fallback} times=${step.times} on=${mode}`,
    );
    if (sequence.after !== undefined)
      steps.push(formatChoice(sequence.after as Choice<ContinuationBehaviour>, mode, complete));
    return steps.join('; ');
  }
  if (choice.type !== 'mix') return `${formatBehaviour(choice)} on=${mode}`;
  return (choice as Mix<ContinuationBehaviour | CompleteBehaviour>).options
    .map((o) => `${o.behaviour ? formatBehaviour(o.behaviour) : fallback} p=${o.p} on=${mode}`)
    .join('; ');
}

/** One behaviour as the log shows it (parseable back). */
export function formatBehaviour(b: ContinuationBehaviour | CompleteBehaviour): string {
  switch (b.type) {
    case 'preamble': {
      const bits = ['preamble'];
      if (b.text !== undefined) bits.push(`text=${spaced(b.text)}`);
      if (b.next !== undefined) bits.push(`then=${formatInner(b.next)}`);
      return bits.join(' ');
    }
    case 'prefill_ignored':
    case 'prefill_rejected':
    case 'complete_new_turn':
    case 'complete_empty':
    case 'complete_repeat':
      return b.type;
    case 'complete_note':
      return b.text === undefined ? b.type : `${b.type} text=${spaced(b.text)}`;
    default:
      return formatInner(b);
  }
}
