/**
 * A JSON call that is not a generation (embeddings, token counts) over a route: the targets in
 * order, those that can serve it, each with the retry policy (backoff with jitter, server hints
 * up to the limit), the breakers and cooldowns shared with generation calls, and the failure
 * table deciding retry here, fall back or stop. No streaming and no recovery: the answer is one
 * JSON body, passed on as the upstream wrote it.
 */
import {
  type AttemptRecord,
  cooldownEndOf,
  OutlastError,
  SPECIFIC_CODES,
  toOutlastError,
  treatmentOf,
  withUpstreamFacts,
} from '../errors/index.ts';
import {
  type Clock,
  createBackoff,
  createDeadline,
  type PhaseBudgets,
  readServerHint,
} from '../policy/index.ts';
import type { ClientCodec } from '../wire/codec.ts';
import { DEFAULT_BASE_URLS } from '../wire/index.ts';
import type { ProviderType } from './config.ts';
import type { Health } from './health.ts';
import { resolveRoute, type TargetRef } from './routes.ts';
import type { EngineSettings } from './settings.ts';
import type { EngineTransport } from './upstream.ts';

export interface SideCallTarget {
  readonly provider: string;
  readonly model: string;
  readonly type: ProviderType;
}

export interface SideCallRequest {
  /** A route, a `provider/model` pair or a bare model. */
  readonly model: string;
  /** What the call is, for messages: `embeddings`, `count_tokens`. */
  readonly what: string;
  /** The request for a target, or undefined when the target cannot serve this call (skipped). */
  build(
    target: SideCallTarget,
  ): { path: string; body: unknown; headers?: Record<string, string> } | undefined;
  /** Checked once the route is resolved, before any attempt (throws to refuse the call). */
  check?(targets: readonly TargetRef[]): void;
}

export interface SideCallAnswer {
  readonly body: unknown;
  readonly answeredBy: { provider: string; model: string };
  readonly attempts: number;
  readonly requestId: string | undefined;
}

export interface SideCallDeps {
  readonly settings: EngineSettings;
  readonly health: Health;
  readonly transport: EngineTransport;
  readonly clock: Clock;
  readonly random: () => number;
  readonly codecFor: (type: ProviderType) => ClientCodec;
}

/** Budgets for one attempt: connect and headers as for generation, a minute for the whole body. */
export const SIDE_CALL_BUDGETS: Readonly<PhaseBudgets> = {
  connect: 5000,
  headers: 30_000,
  idle: 30_000,
  total: 60_000,
};
const SIDE_CALL_DEADLINE_MS = 120_000;
/** The most an answer's body may be (a batch of 2,048 embeddings of 3,072 floats is ~60 MB). */
const MAX_BODY_BYTES = 128 * 1024 * 1024;

async function readAll(body: ReadableStream<Uint8Array> | null): Promise<string> {
  if (body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`answer body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function runSideCall(
  deps: SideCallDeps,
  request: SideCallRequest,
  options: { signal?: AbortSignal } = {},
): Promise<SideCallAnswer> {
  const { settings, health, transport, clock } = deps;
  const send = transport.request?.bind(transport);
  if (!send) {
    throw new OutlastError({
      kind: 'server',
      message: `${request.what}: the engine's transport cannot make raw requests`,
    });
  }
  const route = resolveRoute(request.model, settings.routes, settings.providers);
  request.check?.(route.targets);
  const deadline = createDeadline({
    clock,
    timeoutMs: SIDE_CALL_DEADLINE_MS,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const records: AttemptRecord[] = [];
  let last: OutlastError | undefined;
  try {
    for (const ref of route.targets) {
      const provider = settings.providers[ref.provider];
      if (!provider) continue;
      const spec = request.build({ provider: ref.provider, model: ref.model, type: provider.type });
      if (!spec) continue;
      const codec = deps.codecFor(provider.type);
      let backoff = createBackoff({
        baseMs: settings.retry.baseMs,
        capMs: settings.retry.capMs,
        jitter: settings.retry.jitter,
      });
      for (let attempt = 1; attempt <= settings.retry.attempts; attempt++) {
        const permit = health.acquire(ref);
        // A target that is open or cooling is skipped, unless it is the last one left.
        if (!permit.allowed && (ref !== route.targets.at(-1) || records.length > 0)) break;
        const started = clock.now();
        const scope = deadline.attempt(SIDE_CALL_BUDGETS, ref);
        let error: OutlastError;
        let hintMs: number | undefined;
        try {
          const answer = await send({
            url: `${(provider.baseURL ?? DEFAULT_BASE_URLS[provider.type]).replace(/\/+$/, '')}${spec.path}`,
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...codec.authHeaders(provider.apiKey),
              ...provider.headers,
            },
            body: JSON.stringify(spec.body),
            scope,
          });
          const text = await readAll(answer.body);
          const requestId = codec.requestIdOf(answer.headers);
          if (answer.status >= 200 && answer.status < 300) {
            let body: unknown;
            try {
              body = JSON.parse(text);
            } catch {
              throw new OutlastError({
                kind: 'invalid_response',
                message: `${request.what}: the answer is not JSON`,
              });
            }
            if (permit.allowed) permit.release('success');
            health.record(ref, { ok: true, latencyMs: clock.now() - started });
            return {
              body,
              answeredBy: { provider: ref.provider, model: ref.model },
              attempts: records.length + 1,
              requestId,
            };
          }
          const hint = readServerHint((name) => answer.headers.get(name) ?? undefined, clock.now());
          hintMs = hint.retryAfterMs;
          // The one message shape, naming the target; the headers' hint wins over one in the body.
          error = withUpstreamFacts(codec.decodeError(answer.status, answer.headers, text), {
            provider: ref.provider,
            model: ref.model,
            retryAfterMs: hintMs,
          });
        } catch (e) {
          error = toOutlastError(scope.signal.aborted ? (scope.signal.reason ?? e) : e, ref);
        } finally {
          scope.dispose();
        }
        if (!error.provider) error = error.with({ provider: ref.provider, model: ref.model });
        const treatment = treatmentOf(error.kind, error.phase);
        if (permit.allowed)
          permit.release(treatment.breakerCounts ? 'failure' : 'ignored', error.kind, treatment.longCooldown);
        health.record(ref, { ok: false, kind: error.kind, status: error.status, message: error.message });
        // A rate limit's hinted time, a spent quota's long cooldown (errors/error-kind.ts).
        const coolUntilMs = cooldownEndOf(error, clock.now());
        if (coolUntilMs !== undefined) health.coolUntil(ref.key, coolUntilMs, error.kind);
        records.push({
          provider: ref.provider,
          model: ref.model,
          startedAt: started,
          durationMs: clock.now() - started,
          outcome: error.kind === 'cancelled' ? 'cancelled' : 'error',
          errorKind: error.kind,
          ...(error.status === undefined ? {} : { status: error.status }),
          waitedMs: 0,
          error,
        });
        last = error;
        if (error.kind === 'cancelled' || deadline.signal.aborted) throw error;
        if (treatment.fallBack === 'no') throw error.with({ attempts: records });
        const retryHere =
          attempt < settings.retry.attempts &&
          (treatment.retrySameTarget === 'yes' ||
            (treatment.retrySameTarget === 'after_hint' &&
              hintMs !== undefined &&
              hintMs <= settings.retry.maxHintMs));
        if (!retryHere) break;
        const next = backoff.next(deps.random);
        backoff = next.backoff;
        await clock.sleep(Math.max(hintMs ?? 0, next.delayMs), deadline.signal);
      }
    }
  } finally {
    deadline.dispose();
  }
  if (last) {
    const tried = records.length;
    throw last.with({
      attempts: records,
      message: `${request.what} over "${route.name}" failed after ${tried} attempt${tried === 1 ? '' : 's'}: ${last.message}`,
    });
  }
  throw new OutlastError({
    kind: 'bad_request',
    status: 400,
    code: SPECIFIC_CODES.UNTRANSLATABLE,
    retryable: false,
    message: `${request.what}: no target of "${route.name}" (${route.targets.map((t) => t.key).join(', ')}) can serve it`,
  });
}
