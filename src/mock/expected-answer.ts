/**
 * The answer a healthy mock gives to a request, without a server: the mock is deterministic,
 * so a test or a benchmark can check a recovered answer byte for byte against it.
 */
import type { JsonObject, StopReason, WireFormat } from '../wire/canonical/index.ts';
import { planAnswer } from './answer-plan.ts';
import { SERVER_CODECS } from './codecs.ts';
import { parseContinuationSpec } from './continuation-spec.ts';
import { resolveModel } from './fault-picker.ts';
import { resolveScenario, withModels } from './load-scenario.ts';
import type { ModelConfigInput, Scenario, ScenarioInput } from './scenario.ts';

export interface ExpectedAnswerRequest {
  format: WireFormat;
  /** The request body as the client sends it (an SDK's params object is the same JSON). */
  body: unknown;
  /** Gemini only: the model from the URL path (`models/{model}:generateContent`). */
  model?: string;
}

export interface ExpectedAnswerOptions {
  /** As given to startMockProvider (the mock's seed wins over the scenario's; default the scenario's, else 0). */
  seed?: number;
  scenario?: Scenario | ScenarioInput | string;
  models?: Record<string, ModelConfigInput>;
  /** An `x-mock-continuation` header the request would carry. */
  continuation?: string;
}

export interface ExpectedAnswer {
  /** Every text block, joined. */
  text: string;
  thinking: string;
  toolCalls: Array<{ id: string; name: string; input: JsonObject }>;
  stopReason: StopReason;
  outputTokens: number;
}

/** What a healthy mock answers; throws when it would refuse (prefill rejected, context too long, bad body). */
export function expectedAnswer(
  request: ExpectedAnswerRequest,
  options: ExpectedAnswerOptions = {},
): ExpectedAnswer {
  const scenario = withModels(resolveScenario(options.scenario), options.models);
  const seed = options.seed ?? scenario.seed ?? 0;
  const canonical = SERVER_CODECS[request.format].decodeRequest(
    request.body,
    request.model === undefined ? {} : { pathModel: request.model },
  );
  const plan = planAnswer(canonical, {
    model: canonical.model,
    config: resolveModel(scenario, canonical.model),
    seed,
    ...(options.continuation === undefined
      ? {}
      : { continuation: parseContinuationSpec(options.continuation) }),
  });
  if (plan.kind === 'reject')
    throw new Error(`the mock refuses this request (${plan.variant}): there is no answer to expect`);
  const answer: ExpectedAnswer = {
    text: '',
    thinking: '',
    toolCalls: [],
    stopReason: plan.stopReason,
    outputTokens: plan.outputTokens,
  };
  for (const block of plan.blocks) {
    if (block.type === 'text') answer.text += block.tokens.join('');
    else if (block.type === 'thinking') answer.thinking += block.tokens.join('');
    else answer.toolCalls.push({ id: block.id, name: block.name, input: block.input });
  }
  return answer;
}

/** The text a healthy mock answers `request` with. */
export function expectedAnswerText(
  request: ExpectedAnswerRequest,
  options: ExpectedAnswerOptions = {},
): string {
  return expectedAnswer(request, options).text;
}
