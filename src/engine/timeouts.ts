/**
 * Timeout profiles (the README's Defaults table) and how one call's budgets are chosen: the profile
 * from the request's shape (`auto`) or by name, then the client's and the call's overrides.
 */
import type { PhaseBudgets } from '../policy/index.ts';
import type { CanonicalRequest } from '../wire/canonical/index.ts';
import type { TimeoutOption, TimeoutProfileName } from './config.ts';
import { estimatePromptTokens } from './estimate-tokens.ts';

export interface TimeoutBudgets {
  readonly connect: number;
  readonly headers: number;
  readonly firstToken: number;
  readonly idle: number;
  /** One attempt, start to end. */
  readonly total: number;
}

export const TIMEOUT_PROFILE_TABLE: Readonly<Record<TimeoutProfileName, TimeoutBudgets>> = {
  quick: { connect: 5000, headers: 10_000, firstToken: 10_000, idle: 10_000, total: 30_000 },
  generation: { connect: 5000, headers: 10_000, firstToken: 12_000, idle: 15_000, total: 60_000 },
  thinking: { connect: 5000, headers: 10_000, firstToken: 30_000, idle: 30_000, total: 180_000 },
  'large-context': { connect: 5000, headers: 15_000, firstToken: 60_000, idle: 15_000, total: 120_000 },
};

const QUICK_MAX_TOKENS = 512;
const LARGE_CONTEXT_TOKENS = 100_000;

/** The profile `auto` picks: a big prompt first (it is slow whatever is asked), then thinking, then small answers. */
export function pickProfile(request: CanonicalRequest): TimeoutProfileName {
  if (estimatePromptTokens(request) >= LARGE_CONTEXT_TOKENS) return 'large-context';
  if (request.thinking && request.thinking.type !== 'disabled') return 'thinking';
  if (request.maxTokens !== undefined && request.maxTokens <= QUICK_MAX_TOKENS) return 'quick';
  return 'generation';
}

export interface CallTimeouts {
  readonly profile: TimeoutProfileName;
  readonly budgets: TimeoutBudgets;
  /** The whole call across retries and fallbacks; twice the attempt total unless set. */
  readonly deadlineMs: number;
}

type Overrides = Partial<TimeoutBudgets> & { deadline?: number; profile?: 'auto' | TimeoutProfileName };

/** Shorthands as objects: a profile name, or a number meaning the whole call's deadline. */
function normalise(option: TimeoutOption | undefined): Overrides {
  if (option === undefined) return {};
  if (typeof option === 'string') return { profile: option };
  if (typeof option === 'number') return { deadline: option };
  return option;
}

/** The client's option, then the call's: later wins, field by field. */
export function resolveTimeouts(
  request: CanonicalRequest,
  clientOption: TimeoutOption | undefined,
  callOption?: TimeoutOption,
): CallTimeouts {
  const client = normalise(clientOption);
  const call = normalise(callOption);
  const named = call.profile ?? client.profile ?? 'auto';
  const profile = named === 'auto' ? pickProfile(request) : named;
  const base = TIMEOUT_PROFILE_TABLE[profile];
  const pick = (key: keyof TimeoutBudgets) => call[key] ?? client[key] ?? base[key];
  const deadline = call.deadline ?? client.deadline;
  const budgets: TimeoutBudgets = {
    connect: pick('connect'),
    headers: pick('headers'),
    firstToken: pick('firstToken'),
    idle: pick('idle'),
    // An attempt never outlives the call.
    total: Math.min(pick('total'), deadline ?? Number.POSITIVE_INFINITY),
  };
  return { profile, budgets, deadlineMs: deadline ?? budgets.total * 2 };
}

export function toPhaseBudgets(b: TimeoutBudgets): PhaseBudgets {
  return { connect: b.connect, headers: b.headers, firstToken: b.firstToken, idle: b.idle, total: b.total };
}

/**
 * An attempt whose upstream answers with one JSON body: the provider sends its headers only
 * once the whole answer is generated, so there is no first token to wait for and the headers
 * may take up to the attempt total. The idle budget still spans the body's chunks.
 */
export function jsonPhaseBudgets(b: TimeoutBudgets): PhaseBudgets {
  return { connect: b.connect, headers: b.total, idle: b.idle, total: b.total };
}
