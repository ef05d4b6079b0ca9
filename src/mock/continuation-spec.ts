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

/** Behaviours per mode; a mode left out takes the default. */
export interface ContinuationConfig {
  prefill?: ContinuationBehaviour;
  continue?: ContinuationBehaviour;
  prefillComplete?: CompleteBehaviour;
  continueComplete?: CompleteBehaviour;
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
] as const;
const PREFILL_ONLY = ['prefill_ignored', 'prefill_rejected'] as const;
const COMPLETE = ['complete_new_turn', 'complete_empty', 'complete_repeat', 'complete_note'] as const;

const ALIASES: Readonly<Record<string, string>> = {
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
  const known: readonly string[] = [...INNER, 'preamble', ...PREFILL_ONLY, ...COMPLETE];
  if (!known.includes(name)) fail(spec, `unknown behaviour "${raw}"`);
  return name;
}

function inner(spec: string, name: string, params: Params): InnerBehaviour {
  switch (name) {
    case 'exact':
      return { type: 'exact', ...space(spec, params) };
    case 'overlap': {
      const raw = take(params, 'chars');
      const chars = raw === undefined ? undefined : Number(raw);
      if (chars !== undefined && (!Number.isInteger(chars) || chars < 1))
        fail(spec, `chars=${raw} is not a whole number ≥ 1`);
      return { type: 'overlap', ...(chars === undefined ? {} : { chars }), ...space(spec, params) };
    }
    case 'sentence_restart':
      return { type: 'sentence_restart', ...space(spec, params) };
    case 'full_restart':
    case 'paraphrase':
    case 'different':
    case 'anchor':
      return { type: name };
    default:
      return fail(spec, `${name} cannot follow a preamble (then= takes ${INNER.join(', ')})`);
  }
}

type Clause =
  | { modes: ContinueMode[]; behaviour: ContinuationBehaviour }
  | { modes: ContinueMode[]; complete: CompleteBehaviour };

function parseClause(spec: string, clause: string, forced?: ContinueMode | 'complete'): Clause {
  const words = clause.trim().split(/\s+/).filter(Boolean);
  const head = words.shift();
  if (head === undefined) fail(spec, 'empty');
  const name = normalName(spec, head);
  const params = readParams(spec, words);
  const on = take(params, 'on');
  if (on !== undefined && on !== 'prefill' && on !== 'continue')
    fail(spec, `on=${on} is not prefill or continue`);
  const isComplete = (COMPLETE as readonly string[]).includes(name);
  if (forced === 'complete' && !isComplete) fail(spec, `${name} is not a complete_* behaviour`);
  if (forced !== undefined && forced !== 'complete' && isComplete)
    fail(spec, `${name} belongs under complete, not ${forced}`);
  const prefillOnly = (PREFILL_ONLY as readonly string[]).includes(name);
  const narrowed = forced === 'prefill' || forced === 'continue' ? forced : on;
  if (prefillOnly && narrowed === 'continue') fail(spec, `${name} applies to prefill requests only`);
  const modes: ContinueMode[] = narrowed ? [narrowed] : prefillOnly ? ['prefill'] : ['prefill', 'continue'];

  let result: Clause;
  if (isComplete) {
    const note = name === 'complete_note' ? take(params, 'text') : undefined;
    const complete =
      name === 'complete_note'
        ? ({ type: 'complete_note', ...(note === undefined ? {} : { text: text(note) }) } as const)
        : ({ type: name } as CompleteBehaviour);
    result = { modes, complete };
  } else if (name === 'preamble') {
    const opener = take(params, 'text');
    const then = take(params, 'then');
    const behaviour: ContinuationBehaviour = {
      type: 'preamble',
      ...(opener === undefined ? {} : { text: text(opener) }),
      ...(then === undefined ? {} : { next: inner(spec, normalName(spec, then), params) }),
    };
    result = { modes, behaviour };
  } else if (prefillOnly) {
    result = { modes, behaviour: { type: name as 'prefill_ignored' | 'prefill_rejected' } };
  } else {
    result = { modes, behaviour: inner(spec, name, params) };
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
  const config: ContinuationConfig = {};
  let clauses = 0;
  for (const clause of spec.split(';')) {
    if (clause.trim() === '') continue;
    clauses++;
    const parsed = parseClause(spec, clause, forced);
    for (const mode of parsed.modes) {
      if ('complete' in parsed)
        config[mode === 'prefill' ? 'prefillComplete' : 'continueComplete'] = parsed.complete;
      else config[mode] = parsed.behaviour;
    }
  }
  if (clauses === 0) fail(spec, 'empty');
  return config;
}

/** Later config wins, mode by mode. */
export function mergeContinuation(
  base: ContinuationConfig | undefined,
  over: ContinuationConfig | undefined,
): ContinuationConfig {
  return { ...base, ...over };
}

function formatInner(b: InnerBehaviour): string {
  const bits: string[] = [b.type];
  if (b.type === 'overlap' && b.chars !== undefined) bits.push(`chars=${b.chars}`);
  if ('space' in b && b.space !== undefined) bits.push(`space=${b.space}`);
  return bits.join(' ');
}

const spaced = (raw: string): string => raw.replaceAll(' ', '+');

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
