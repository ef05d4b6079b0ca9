/**
 * Server side: canonical stream parts → Responses API stream events, in OpenAI's order:
 * `response.created`, `response.in_progress`, then per output item `output_item.added`, its
 * parts and deltas (`content_part.added`, `output_text.delta`, `reasoning_summary_text.delta`,
 * `function_call_arguments.delta`), their `.done` events and `output_item.done`, and at the end
 * `response.completed` (or `response.incomplete` for an answer cut at the token limit or
 * salvaged). A failure after the commit point is an `error` event then `response.failed`.
 * Every event carries its `sequence_number`. Events are objects here: the gateway frames them
 * as SSE, the library hands them to the caller as they are.
 */
import { clientMessageOf, OutlastError } from '../../errors/index.ts';
import type { JsonObject, StopReason, StreamPart, Usage } from '../canonical/index.ts';
import { openaiErrorBody } from '../openai/errors.ts';
import {
  encodeResponsesUsage,
  endingOf,
  functionCallItem,
  itemIdOf,
  messageItem,
  type ResponseStatus,
  reasoningItem,
  responseIdOf,
  responseObject,
  textPart,
} from './output-items.ts';
import type { ResponsesEcho } from './parse-request.ts';
import { createVerbatimRelay, type VerbatimPart } from './verbatim-relay.ts';

const CUT_RELAYED = new OutlastError({
  kind: 'stream_interrupted',
  message:
    'the Responses API upstream broke off its answer; a Responses answer relayed as it came can be neither continued nor salvaged',
});

export interface ResponsesEventBuilder {
  /** The events for one part (none for some, several for others). */
  push(part: StreamPart): JsonObject[];
  /** The events of a failure after the commit point. */
  fail(error: OutlastError): JsonObject[];
  /** True once a terminal event (completed, incomplete, failed) went out. */
  readonly ended: boolean;
  /**
   * Takes note of an upstream Responses event relayed unchanged (a `verbatim` part): from the
   * first one the stream is the upstream's and canonical parts give no events. False when the
   * event is not to be sent (another dialect's, or after the end).
   */
  noteVerbatim(part: VerbatimPart): boolean;
}

interface OpenItem {
  kind: 'text' | 'tool_use' | 'thinking' | 'redacted_thinking';
  id: string;
  outputIndex: number;
  text: string;
  signature?: string;
  callId?: string;
  name?: string;
}

export function createResponsesEventBuilder(
  echo: ResponsesEcho,
  options: { model: string; createdAt?: number },
): ResponsesEventBuilder {
  const createdAt = options.createdAt ?? Math.floor(Date.now() / 1000);
  let sequence = 0;
  let id = 'resp_outlast';
  let started = false;
  let ended = false;
  let stopReason: StopReason | undefined;
  let usage: Partial<Usage> = {};
  const output: JsonObject[] = [];
  const open = new Map<number, OpenItem>();
  let nextOutputIndex = 0;
  const relayed = createVerbatimRelay();

  const event = (type: string, fields: JsonObject): JsonObject => ({
    type,
    ...fields,
    sequence_number: sequence++,
  });
  const snapshot = (
    status: ResponseStatus,
    extra: {
      usage?: JsonObject | null;
      incompleteDetails?: JsonObject | null;
      error?: JsonObject | null;
    } = {},
  ) =>
    responseObject(echo, {
      id,
      model: options.model,
      createdAt,
      status,
      output: output.filter((item) => item !== undefined),
      usage: extra.usage ?? null,
      ...(extra.incompleteDetails === undefined ? {} : { incompleteDetails: extra.incompleteDetails }),
      ...(extra.error === undefined ? {} : { error: extra.error }),
    });

  const start = (canonicalId?: string): JsonObject[] => {
    if (started) return [];
    started = true;
    if (canonicalId !== undefined) id = responseIdOf(canonicalId);
    return [
      event('response.created', { response: snapshot('in_progress') }),
      event('response.in_progress', { response: snapshot('in_progress') }),
    ];
  };

  function openItem(
    index: number,
    block: Extract<StreamPart, { type: 'block_start' }>['block'],
  ): JsonObject[] {
    const outputIndex = nextOutputIndex++;
    const kind = block.type;
    const prefix = kind === 'text' ? 'msg' : kind === 'tool_use' ? 'fc' : 'rs';
    const item: OpenItem = { kind, id: itemIdOf(id, prefix, outputIndex), outputIndex, text: '' };
    open.set(index, item);
    const at = { output_index: outputIndex };
    switch (block.type) {
      case 'text':
        return [
          event('response.output_item.added', {
            ...at,
            item: messageItem(item.id, undefined, 'in_progress'),
          }),
          event('response.content_part.added', {
            item_id: item.id,
            ...at,
            content_index: 0,
            part: textPart(''),
          }),
        ];
      case 'tool_use':
        item.callId = block.id;
        item.name = block.name;
        return [
          event('response.output_item.added', {
            ...at,
            item: functionCallItem(
              item.id,
              { callId: block.id, name: block.name, arguments: '' },
              'in_progress',
            ),
          }),
        ];
      case 'thinking':
        return [
          event('response.output_item.added', {
            ...at,
            item: reasoningItem(item.id, undefined, undefined, 'in_progress'),
          }),
          event('response.reasoning_summary_part.added', {
            item_id: item.id,
            ...at,
            summary_index: 0,
            part: { type: 'summary_text', text: '' },
          }),
        ];
      case 'redacted_thinking':
        item.signature = block.data;
        return [
          event('response.output_item.added', {
            ...at,
            item: reasoningItem(item.id, undefined, block.data, 'in_progress'),
          }),
        ];
    }
  }

  function closeItem(index: number): JsonObject[] {
    const item = open.get(index);
    if (!item) return [];
    open.delete(index);
    const at = { item_id: item.id, output_index: item.outputIndex };
    const events: JsonObject[] = [];
    let done: JsonObject;
    switch (item.kind) {
      case 'text':
        events.push(
          event('response.output_text.done', { ...at, content_index: 0, text: item.text, logprobs: [] }),
        );
        events.push(
          event('response.content_part.done', { ...at, content_index: 0, part: textPart(item.text) }),
        );
        done = messageItem(item.id, item.text, 'completed');
        break;
      case 'tool_use': {
        const args = item.text;
        events.push(
          event('response.function_call_arguments.done', { ...at, name: item.name!, arguments: args }),
        );
        done = functionCallItem(
          item.id,
          { callId: item.callId!, name: item.name!, arguments: args },
          'completed',
        );
        break;
      }
      case 'thinking':
        events.push(
          event('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: item.text }),
        );
        events.push(
          event('response.reasoning_summary_part.done', {
            ...at,
            summary_index: 0,
            part: { type: 'summary_text', text: item.text },
          }),
        );
        done = reasoningItem(item.id, item.text, item.signature, 'completed');
        break;
      case 'redacted_thinking':
        done = reasoningItem(item.id, undefined, item.signature, 'completed');
        break;
    }
    output[item.outputIndex] = done;
    events.push(event('response.output_item.done', { output_index: item.outputIndex, item: done }));
    return events;
  }

  function delta(part: Extract<StreamPart, { type: 'block_delta' }>): JsonObject[] {
    const item = open.get(part.index);
    if (!item) return [];
    const at = { item_id: item.id, output_index: item.outputIndex };
    const d = part.delta;
    switch (d.type) {
      case 'text':
        if (d.text === '') return [];
        item.text += d.text;
        return [
          event('response.output_text.delta', { ...at, content_index: 0, delta: d.text, logprobs: [] }),
        ];
      case 'tool_input':
        if (d.partialJson === '') return [];
        item.text += d.partialJson;
        return [event('response.function_call_arguments.delta', { ...at, delta: d.partialJson })];
      case 'thinking':
        if (d.thinking === '') return [];
        item.text += d.thinking;
        return [
          event('response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta: d.thinking }),
        ];
      case 'signature':
        item.signature = (item.signature ?? '') + d.signature;
        return [];
    }
  }

  function finish(truncated: boolean): JsonObject[] {
    const events = start();
    for (const index of [...open.keys()]) events.push(...closeItem(index));
    ended = true;
    const { status, incompleteDetails } = endingOf(stopReason, truncated);
    const response = snapshot(status, { usage: encodeResponsesUsage(usage), incompleteDetails });
    events.push(event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response }));
    return events;
  }

  return {
    get ended() {
      return ended || relayed.ended;
    },
    noteVerbatim: (part) => relayed.note(part),
    push(part) {
      if (part.type === 'verbatim') return relayed.note(part) ? [JSON.parse(part.data) as JsonObject] : [];
      if (relayed.active) {
        if (part.type === 'error') return relayed.fail(part.error);
        // Salvage ends an answer with what arrived, marked cut: a relayed Response has no honest
        // way to say so but its error events.
        if (part.type === 'message_stop' && part.truncated) return relayed.fail(CUT_RELAYED);
        return [];
      }
      if (ended) return [];
      switch (part.type) {
        case 'message_start':
          if (part.usage) usage = { ...usage, ...part.usage };
          return start(part.id);
        case 'block_start':
          return [...start(), ...openItem(part.index, part.block)];
        case 'block_delta':
          return delta(part);
        case 'block_stop':
          return closeItem(part.index);
        case 'message_delta':
          if (part.stopReason) stopReason = part.stopReason;
          if (part.usage) usage = { ...usage, ...part.usage };
          return [];
        case 'message_stop':
          return finish(part.truncated === true);
        case 'error':
          return this.fail(part.error);
        case 'passthrough':
          // Another API's event: the Responses stream has no place for it.
          return [];
      }
    },
    fail(error) {
      if (relayed.active) return relayed.fail(error);
      if (ended) return [];
      const events = start();
      ended = true;
      const { wire } = openaiErrorBody(error);
      const message = clientMessageOf(error);
      const code = wire.code ?? wire.type;
      // The documented event has code/message/param at the top; OpenAI's servers also nest
      // them under `error`, which is what makes the official SDKs throw their APIError.
      events.push(
        event('error', {
          code,
          message,
          param: wire.param ?? null,
          error: { type: wire.type, code, message, param: wire.param ?? null },
        }),
      );
      events.push(
        event('response.failed', {
          response: snapshot('failed', {
            usage: encodeResponsesUsage(usage),
            error: { code: error.kind === 'rate_limited' ? 'rate_limit_exceeded' : 'server_error', message },
          }),
        }),
      );
      return events;
    },
  };
}
