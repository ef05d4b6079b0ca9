/**
 * `POST /v1/messages/count_tokens` in Anthropic's shape: `{"input_tokens": n}` counted the way
 * the mock counts a prompt (about one token per 4 characters plus 3 per message), so a count
 * matches the `input_tokens` the same request's answer reports. HTTP faults apply.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OutlastError } from '../errors/index.ts';
import type { ServerCodec } from '../wire/codec.ts';
import { estimateInputTokens } from './answer-plan.ts';
import type { FaultPicker } from './fault-picker.ts';
import { planFaults } from './fault-plan.ts';
import { encodeHttpFault, encodeOwnError } from './http-errors.ts';
import { jsonHeaders, readBody, sendWire } from './http-io.ts';
import type { MockLogEntry } from './mock-log.ts';

export async function handleCountTokens(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: { picker: FaultPicker; entry: MockLogEntry; codec: ServerCodec; now: number },
): Promise<void> {
  const { picker, entry, codec } = ctx;
  let raw: unknown;
  try {
    raw = JSON.parse((await readBody(req)).toString('utf8'));
  } catch {
    raw = undefined;
  }
  let request: ReturnType<ServerCodec['decodeRequest']>;
  try {
    // count_tokens takes no max_tokens; the Messages decoder wants one.
    request = codec.decodeRequest({ max_tokens: 1, ...(raw as object) });
  } catch (error) {
    const e = OutlastError.isInstance(error)
      ? error
      : new OutlastError({ kind: 'bad_request', status: 400, message: 'invalid request body' });
    entry.error = e.message;
    sendWire(res, encodeOwnError(codec, 'anthropic', e, entry.requestId));
    return;
  }
  entry.model = request.model;
  const pick = picker.pick(request.model);
  entry.attempt = pick.attempt;
  const outcome = planFaults(pick.faults, picker.model(request.model)).outcome;
  if (outcome?.type === 'http') {
    sendWire(
      res,
      encodeHttpFault(outcome, {
        format: 'anthropic',
        codec,
        model: request.model,
        requestId: entry.requestId,
        now: ctx.now,
      }),
    );
    return;
  }
  const body = JSON.stringify({ input_tokens: estimateInputTokens(request) });
  res.writeHead(200, {
    ...jsonHeaders('anthropic', entry.requestId),
    'content-length': Buffer.byteLength(body),
  });
  entry.status = 200;
  res.end(body);
}
