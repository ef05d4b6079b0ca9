/**
 * How the mock answers a request that continues an answer, as data, and the one-line syntax of
 * the `x-mock-continuation` header and a model's `continuation:` in a scenario.
 *
 * Syntax: clauses separated by `;`, each a behaviour name followed by `key=value` parameters,
 * e.g. `full_restart`, `overlap chars=40 on=continue; prefill_ignored`, `complete_note`.
 * A clause applies to both kinds of continuation (an assistant prefill, a "continue" user
 * turn) unless `on=prefill|continue` narrows it; prefill-only behaviours apply to prefills.
 * The `complete_*` behaviours say what a model does when asked to continue an answer that
 * was already complete. The full list is in src/mock/README.md.
 */

/** The two shapes of a continuation request. */
export type ContinueMode = 'prefill' | 'continue';

/** Whether the first token keeps its leading space (a new turn starts with none). */
export type LeadingSpace = 'keep' | 'drop';

/** What a continuation can follow a preamble with. */
export type InnerBehaviour =
  /** The rest exactly. */
  | { type: 'exact'; space?: LeadingSpace }
  /** The last `chars` characters again (aligned to a token start), then the rest. */
  | { type: 'overlap'; chars?: number; space?: LeadingSpace }
  /** The sentence that was cut, from its first word, then the rest. */
  | { type: 'sentence_restart'; space?: LeadingSpace }
  /** The whole answer again from its first word. */
  | { type: 'full_restart' }
  /** The answer so far in other words (same shape), then the rest: text that cannot be aligned. */
  | { type: 'paraphrase' }
  /** An unrelated fresh answer. */
  | { type: 'different' }
  /** Nothing, with a normal stop, though the answer was not complete: a model that thinks it is done. */
  | { type: 'empty' }
  /** Only the last `chars` characters again (aligned to a token start), then a normal stop. */
  | { type: 'echo'; chars?: number; space?: LeadingSpace }
  /**
   * Does what the continue turn asks: starts with the text it quotes when that text ends the
   * partial answer (an anchor), then the rest; with no such quote, as `exact`.
   */
  | { type: 'anchor' };

export type ContinuationBehaviour =
  | InnerBehaviour
  /** A chatty opener, then a continuation of the kind `then=` names (exact by default). */
  | { type: 'preamble'; text?: string; next?: InnerBehaviour }
  /** Prefill only: the whole answer, as if the assistant turn were absent (OpenAI-style servers). */
  | { type: 'prefill_ignored' }
  /** Prefill only: the 400 newer Claude models return. */
  | { type: 'prefill_rejected' };

/** What a model says when asked to continue an answer that was already complete. */
export type CompleteBehaviour =
  /** An ordinary new turn: a fresh answer to the conversation (the default after a "continue" turn). */
  | { type: 'complete_new_turn' }
  /** Nothing: an empty text and a normal stop (the default after a prefill). */
  | { type: 'complete_empty' }
  /** Its last sentence again. */
  | { type: 'complete_repeat' }
  /** A short note such as "That was the end of my answer." */
  | { type: 'complete_note'; text?: string };

/**
 * A draw among behaviours (clauses with `p=`): each option's chance; an option without a
 * behaviour is the mode's default.
 */
export interface Mix<B> {
  type: 'mix';
  options: Array<{ p: number; behaviour: B | undefined }>;
}

/**
 * Behaviours in turn (clauses with `times=`): the first `times` continuations of the mode get
 * the first step, and so on; past the steps, `after` (a behaviour, a mix, or the default).
 */
export interface Sequence<B> {
  type: 'sequence';
  steps: Array<{ times: number; behaviour: B | undefined }>;
  after: B | Mix<B> | undefined;
}

export type Choice<B> = B | Mix<B> | Sequence<B>;

/** Behaviours per mode; a mode left out takes the default. */
export interface ContinuationConfig {
  prefill?: Choice<ContinuationBehaviour>;
  continue?: Choice<ContinuationBehaviour>;
  prefillComplete?: Choice<CompleteBehaviour>;
  continueComplete?: Choice<CompleteBehaviour>;
}

/** The behaviour a draw in [0, 1) picks (the draw is made only for a mix); undefined for the mode's default. */
export function choose<B extends { type: string }>(
  choice: Choice<B> | undefined,
  draw: number | (() => number),
  /** Which continuation of its mode this is, from 1 (for `times=`). */
  nth = 1,
): B | undefined {
  if (choice?.type === 'sequence') {
    const sequence = choice as Sequence<B>;
    let end = 0;
    for (const step of sequence.steps) {
      end += step.times;
      if (nth <= end) return step.behaviour;
    }
    return choose(sequence.after, draw);
  }
  if (choice === undefined || choice.type !== 'mix') return choice as B | undefined;
  const at = typeof draw === 'number' ? draw : draw();
  let edge = 0;
  for (const option of (choice as Mix<B>).options) {
    edge += option.p;
    if (at < edge) return option.behaviour;
  }
  return undefined;
}

export const CONTINUATION_HEADER = 'x-mock-continuation';
export const DEFAULT_OVERLAP_CHARS = 24;
export const DEFAULT_PREAMBLE = 'Sure, continuing from where I left off:';
export const DEFAULT_COMPLETE_NOTE = 'That was the end of my answer.';

export class ContinuationSpecError extends Error {
  override readonly name = 'ContinuationSpecError';
}

const INNER = [
  'exact',
  'overlap',
  'sentence_restart',
  'full_restart',
  'paraphrase',
  'different',
  'anchor',
  'empty',
  'echo',
] as const;
const PREFILL_ONLY = ['prefill_ignored', 'prefill_rejected'] as const;
const COMPLETE = ['complete_new_turn', 'complete_empty', 'complete_repeat', 'complete_note'] as const;

const ALIASES: Readonly<Record<string, string>> = {
  default: 'default',
  rest: 'exact',
  repeat_tail: 'overlap',
  restart_sentence: 'sentence_restart',
  restart: 'full_restart',
  from_scratch: 'full_restart',
  chatty: 'preamble',
  unrelated: 'different',
  ignore_prefill: 'prefill_ignored',
  reject_prefill: 'prefill_rejected',
  complete_repeat_last: 'complete_repeat',
};

function fail(spec: string, problem: string): never {
  throw new ContinuationSpecError(`invalid continuation "${spec}": ${problem}`);
}

type Params = Map<string, string>;

function readParams(spec: string, words: readonly string[]): Params {
  const params: Params = new Map();
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) fail(spec, `"${word}" is not key=value`);
    params.set(word.slice(0, eq).toLowerCase().replaceAll('-', '_'), word.slice(eq + 1));
  }
  return params;
}

function take(params: Params, key: string): string | undefined {
  const value = params.get(key);
  params.delete(key);
  return value;
}

/** `+` stands for a space, as in the fault header's `message=`. */
const text = (raw: string): string => raw.replaceAll('+', ' ');

function space(spec: string, params: Params): { space?: LeadingSpace } {
  const raw = take(params, 'space');
  if (raw === undefined) return {};
  if (raw !== 'keep' && raw !== 'drop') fail(spec, `space=${raw} is not keep or drop`);
  return { space: raw };
}

function normalName(spec: string, raw: string): string {
  const lower = raw.toLowerCase().replaceAll('-', '_');
  const name = ALIASES[lower] ?? lower;
  const known: readonly string[] = [
    ...INNER,
    'preamble',
    ...PREFILL_ONLY,
    ...COMPLETE,
    'default',
    'complete_default',
  ];
  if (!known.includes(name)) fail(spec, `unknown behaviour "${raw}"`);
  return name;
}

function inner(spec: string, name: string, params: Params): InnerBehaviour {
  switch (name) {
    case 'exact':
      return { type: 'exact', ...space(spec, params) };
    case 'overlap':
    case 'echo': {
      const raw = take(params, 'chars');
      const chars = raw === undefined ? undefined : Number(raw);
      if (chars !== undefined && (!Number.isInteger(chars) || chars < 1))
        fail(spec, `chars=${raw} is not a whole number ≥ 1`);
      return { type: name, ...(chars === undefined ? {} : { chars }), ...space(spec, params) };
    }
    case 'sentence_restart':
      return { type: 'sentence_restart', ...space(spec, params) };
    case 'full_restart':
    case 'paraphrase':
    case 'different':
    case 'anchor':
    case 'empty':
      return { type: name };
    default:
      return fail(spec, `${name} cannot follow a preamble (then= takes ${INNER.join(', ')})`);
  }
}

type Slot = keyof ContinuationConfig;

interface Clause {
  slots: Slot[];
  /** Undefined for `default`. */
  behaviour: ContinuationBehaviour | CompleteBehaviour | undefined;
  p: number | undefined;
  times: number | undefined;
}

function parseClause(spec: string, clause: string, forced?: ContinueMode | 'complete'): Clause {
  const words = clause.trim().split(/\s+/).filter(Boolean);
  const head = words.shift();
  if (head === undefined) fail(spec, 'empty');
  const name = normalName(spec, head);
  const params = readParams(spec, words);
  const on = take(params, 'on');
  if (on !== undefined && on !== 'prefill' && on !== 'continue')
    fail(spec, `on=${on} is not prefill or continue`);
  const rawP = take(params, 'p');
  const p = rawP === undefined ? undefined : Number(rawP);
  if (p !== undefined && !(p > 0 && p <= 1)) fail(spec, `p=${rawP} is not a chance in (0, 1]`);
  const rawTimes = take(params, 'times');
  const times = rawTimes === undefined ? undefined : Number(rawTimes);
  if (times !== undefined && !(Number.isInteger(times) && times >= 1))
    fail(spec, `times=${rawTimes} is not a whole number ≥ 1`);
  if (times !== undefined && p !== undefined) fail(spec, 'a clause takes p= or times=, not both');
  // `default` stands for the mode's default (in a mix); `complete_default` for the complete one.
  const isComplete =
    (COMPLETE as readonly string[]).includes(name) ||
    name === 'complete_default' ||
    (name === 'default' && forced === 'complete');
  if (forced === 'complete' && !isComplete) fail(spec, `${name} is not a complete_* behaviour`);
  if (forced !== undefined && forced !== 'complete' && isComplete)
    fail(spec, `${name} belongs under complete, not ${forced}`);
  const prefillOnly = (PREFILL_ONLY as readonly string[]).includes(name);
  const narrowed = forced === 'prefill' || forced === 'continue' ? forced : on;
  if (prefillOnly && narrowed === 'continue') fail(spec, `${name} applies to prefill requests only`);
  const modes: ContinueMode[] = narrowed ? [narrowed] : prefillOnly ? ['prefill'] : ['prefill', 'continue'];
  const slots: Slot[] = isComplete
    ? modes.map((mode) => (mode === 'prefill' ? 'prefillComplete' : 'continueComplete'))
    : modes;

  let result: Clause;
  if (name === 'default' || name === 'complete_default') {
    result = { slots, behaviour: undefined, p, times };
  } else if (isComplete) {
    const note = name === 'complete_note' ? take(params, 'text') : undefined;
    const complete =
      name === 'complete_note'
        ? ({ type: 'complete_note', ...(note === undefined ? {} : { text: text(note) }) } as const)
        : ({ type: name } as CompleteBehaviour);
    result = { slots, behaviour: complete, p, times };
  } else if (name === 'preamble') {
    const opener = take(params, 'text');
    const then = take(params, 'then');
    const behaviour: ContinuationBehaviour = {
      type: 'preamble',
      ...(opener === undefined ? {} : { text: text(opener) }),
      ...(then === undefined ? {} : { next: inner(spec, normalName(spec, then), params) }),
    };
    result = { slots, behaviour, p, times };
  } else if (prefillOnly) {
    result = { slots, behaviour: { type: name as 'prefill_ignored' | 'prefill_rejected' }, p, times };
  } else {
    result = { slots, behaviour: inner(spec, name, params), p, times };
  }
  const leftover = [...params.keys()];
  if (leftover.length > 0) fail(spec, `unknown parameter ${leftover.join(', ')} for ${name}`);
  return result;
}

/**
 * Parses continuation text. `forced` is the mode a scenario's object form names (`prefill:`,
 * `continue:`, `complete:`). Throws ContinuationSpecError naming the problem.
 */
export function parseContinuationSpec(spec: string, forced?: ContinueMode | 'complete'): ContinuationConfig {
  const bySlot = new Map<Slot, Clause[]>();
  let clauses = 0;
  for (const clause of spec.split(';')) {
    if (clause.trim() === '') continue;
    clauses++;
    const parsed = parseClause(spec, clause, forced);
    for (const slot of parsed.slots) bySlot.set(slot, [...(bySlot.get(slot) ?? []), parsed]);
  }
  if (clauses === 0) fail(spec, 'empty');
  const config: Record<string, unknown> = {};
  for (const [slot, list] of bySlot) {
    const choice = finishSlot(spec, slot, list);
    if (choice !== undefined) config[slot] = choice;
  }
  return config as ContinuationConfig;
}

/** Clauses with `times=` in turn, then one behaviour (the last clause wins), or a mix when any has `p=`. */
function finishSlot(spec: string, slot: Slot, all: readonly Clause[]): unknown {
  const timed = all.filter((c) => c.times !== undefined);
  const list = all.filter((c) => c.times === undefined);
  const after = list.length === 0 ? undefined : finishUntimed(spec, slot, list);
  if (timed.length === 0) return after;
  return { type: 'sequence', steps: timed.map((c) => ({ times: c.times!, behaviour: c.behaviour })), after };
}

function finishUntimed(spec: string, slot: Slot, list: readonly Clause[]): unknown {
  if (list.every((c) => c.p === undefined)) return list[list.length - 1]!.behaviour;
  const drawn = list.filter((c) => c.p !== undefined);
  const rest = list.filter((c) => c.p === undefined);
  if (rest.length > 1) fail(spec, `${slot}: at most one clause without p= in a mix (it takes what is left)`);
  const total = drawn.reduce((sum, c) => sum + c.p!, 0);
  if (total > 1 + 1e-9) fail(spec, `${slot}: the chances add up to ${Number(total.toFixed(6))}, more than 1`);
  const options = drawn.map((c) => ({ p: c.p!, behaviour: c.behaviour }));
  const left = 1 - total;
  if (left > 1e-9) options.push({ p: left, behaviour: rest[0]?.behaviour });
  return { type: 'mix', options };
}

/** Later config wins, mode by mode. */
export function mergeContinuation(
  base: ContinuationConfig | undefined,
  over: ContinuationConfig | undefined,
): ContinuationConfig {
  return { ...base, ...over };
}
