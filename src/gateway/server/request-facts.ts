/**
 * What the request log line says about one response, gathered while it is served. Kept beside
 * the response rather than read back from its headers: headers given to `writeHead` are not
 * visible to `getHeader()`, which is how the first request lines came out without their ids.
 */
import type { ServerResponse } from 'node:http';
import type { Trace } from '../../engine/index.ts';
import type { Usage } from '../../wire/canonical/index.ts';

export interface RequestFacts {
  requestId?: string;
  /** The `model` the client asked for (a route, a `provider/model` pair or a bare model). */
  route?: string;
  stream?: boolean;
  /** The name of the client's gateway key, when keys are configured and the key has one. */
  key?: string;
  /** `provider/model` that answered. */
  answeredBy?: string;
  attempts?: number;
  outcome?: Trace['outcome'];
  errorKind?: string;
  usage?: Partial<Usage>;
  wastedOutputTokens?: number;
  trace?: Trace;
}

const facts = new WeakMap<ServerResponse, RequestFacts>();

export function factsOf(res: ServerResponse): RequestFacts {
  let f = facts.get(res);
  if (!f) {
    f = {};
    facts.set(res, f);
  }
  return f;
}

/** Usage parts are cumulative (Anthropic's `message_delta`): a later value replaces an earlier one. */
export function mergeUsage(into: RequestFacts, usage: Partial<Usage> | undefined): void {
  if (!usage) return;
  const merged: Partial<Usage> = { ...into.usage };
  for (const [k, v] of Object.entries(usage) as Array<[keyof Usage, number | undefined]>) {
    if (v !== undefined) merged[k] = v;
  }
  into.usage = merged;
}

export function recordTrace(into: RequestFacts, trace: Trace): void {
  into.trace = trace;
  into.requestId = trace.requestId;
  into.attempts = trace.attempts.length;
  into.outcome = trace.outcome;
  into.wastedOutputTokens = trace.wastedOutputTokens;
  // A stream that failed after its 200 wrote no error answer: its last attempt says why.
  if (trace.outcome === 'error' && into.errorKind === undefined) {
    const kind = trace.attempts.at(-1)?.errorKind;
    if (kind) into.errorKind = kind;
  }
  if (trace.answeredBy) into.answeredBy = `${trace.answeredBy.provider}/${trace.answeredBy.model}`;
  if (trace.usage) mergeUsage(into, trace.usage);
}

/** The fields of the request line, in the order a reader scans them. */
export function requestLine(
  f: RequestFacts,
  base: { method: string; endpoint: string; status: number; durationMs: number },
): Record<string, unknown> {
  const u = f.usage;
  return {
    event: 'request',
    ...(f.requestId ? { requestId: f.requestId } : {}),
    method: base.method,
    endpoint: base.endpoint,
    ...(f.route !== undefined ? { route: f.route } : {}),
    ...(f.answeredBy ? { model: f.answeredBy } : {}),
    ...(f.attempts !== undefined ? { attempts: f.attempts } : {}),
    outcome: f.outcome ?? (base.status < 400 ? 'success' : 'error'),
    ...(f.errorKind ? { errorKind: f.errorKind } : {}),
    status: base.status,
    durationMs: base.durationMs,
    ...(f.stream !== undefined ? { stream: f.stream } : {}),
    ...(f.key ? { key: f.key } : {}),
    ...(u
      ? {
          tokens: {
            input: u.inputTokens ?? 0,
            output: u.outputTokens ?? 0,
            ...(u.cacheReadTokens ? { cacheRead: u.cacheReadTokens } : {}),
            ...(u.cacheWriteTokens ? { cacheWrite: u.cacheWriteTokens } : {}),
            ...(f.wastedOutputTokens ? { wasted: f.wastedOutputTokens } : {}),
          },
        }
      : {}),
  };
}
