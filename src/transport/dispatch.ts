/**
 * One HTTP exchange up to its response headers, with the attempt scope's phases kept
 * exact: `connect` until a socket is ready for this request (pool wait, TCP and TLS
 * included), `headers` from then until the status line and headers are in.
 */
import { type Agent, type Dispatcher, request as undiciRequest } from 'undici';
import { OutlastError, targetLabel, toOutlastError } from '../errors/index.ts';
import { type AttemptScope, abortReason } from '../policy/deadline.ts';

export type ResponseBody = Dispatcher.ResponseData['body'];

export interface DispatchInput {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  scope: AttemptScope;
  where: { provider?: string; model?: string };
}

export interface DispatchResult {
  status: number;
  headers: Headers;
  body: ResponseBody;
}

export async function dispatchWithPhases(agent: Agent, input: DispatchInput): Promise<DispatchResult> {
  const { scope } = input;
  if (scope.signal.aborted) throw abortReason(scope.signal);
  checkUrl(input.url, input.where);
  scope.enter('connect');
  try {
    const res = await undiciRequest(input.url, {
      method: input.method as Dispatcher.HttpMethod,
      headers: input.headers,
      ...(input.body === undefined ? {} : { body: input.body }),
      signal: scope.signal,
      dispatcher: withConnectHook(agent),
      // Read by the hook below; undici passes unknown options through to dispatch untouched.
      [CONNECTED]: () => scope.enter('headers'),
    } as Parameters<typeof undiciRequest>[1]);
    return { status: res.statusCode, headers: toHeaders(res.headers), body: res.body };
  } catch (e) {
    throw scope.signal.aborted ? abortReason(scope.signal) : toOutlastError(e, input.where);
  }
}

/** A malformed base URL is a configuration mistake: no retry or other target will fix it here. */
function checkUrl(url: string, where: DispatchInput['where']): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = '';
  }
  if (protocol === 'http:' || protocol === 'https:') return;
  throw new OutlastError({
    kind: 'bad_request',
    message: `upstream ${targetLabel(where.provider, where.model)}: ${JSON.stringify(url)} is not an http(s) URL`,
    retryable: false,
    ...where,
  });
}

/** The option that carries a request's "connected" callback to the hook. */
const CONNECTED = Symbol('outlast.connected');

const hooked = new WeakMap<Agent, Dispatcher>();

/**
 * The agent with one interceptor, composed once per agent rather than per request: undici
 * starts a request's handler only once a connected socket takes it, the one reliable
 * per-request "connected" moment, whether the socket is new or pooled.
 */
function withConnectHook(agent: Agent): Dispatcher {
  let dispatcher = hooked.get(agent);
  if (dispatcher === undefined) {
    dispatcher = agent.compose((dispatch) => (opts, handler) => {
      const connected = (opts as { [CONNECTED]?: () => void })[CONNECTED];
      if (connected !== undefined) onceConnected(handler, connected);
      return dispatch(opts, handler);
    });
    hooked.set(agent, dispatcher);
  }
  return dispatcher;
}

/**
 * Calls back once when undici starts the handler on a connected socket. The hook is set on
 * the handler itself (undici's own request handler, made for this request alone), so every
 * method still runs with the handler as `this` and no wrapper sits on the per-chunk path.
 */
function onceConnected(handler: Dispatcher.DispatchHandler, connected: () => void): void {
  // Handlers come in two shapes (onRequestStart, or the older onConnect): hook whichever it has.
  const hook = typeof handler.onRequestStart === 'function' ? 'onRequestStart' : 'onConnect';
  const methods = handler as Record<string, unknown>;
  const original = methods[hook];
  if (typeof original !== 'function') return;
  let fired = false;
  methods[hook] = function (this: unknown, ...args: unknown[]) {
    if (!fired) {
      fired = true;
      connected();
    }
    return original.apply(this, args);
  };
}

/** undici's header record as a fetch `Headers` (repeated headers appended, not lost). */
export function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return headers;
}
