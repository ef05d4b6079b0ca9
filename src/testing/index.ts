// `outlast/testing`: the mock provider to run tests and demos against, and the fake clock.

export {
  CONTINUATION_HEADER,
  type CompleteBehaviour,
  type ContinuationBehaviour,
  type ContinuationConfig,
  ContinuationSpecError,
  parseContinuationSpec,
} from '../mock/continuation-spec.ts';
export {
  type ExpectedAnswer,
  type ExpectedAnswerOptions,
  type ExpectedAnswerRequest,
  expectedAnswer,
  expectedAnswerText,
} from '../mock/expected-answer.ts';
export {
  type Fault,
  FaultSpecError,
  formatFault,
  parseFaultSpec,
} from '../mock/fault-spec.ts';
export { PREFILL_REJECTED_MESSAGE } from '../mock/http-errors.ts';
export { loadScenario, parseScenarioText } from '../mock/load-scenario.ts';
export type { MockLogEntry } from '../mock/mock-log.ts';
export { NAMED_SCENARIOS, type ScenarioName } from '../mock/named-scenarios.ts';
export {
  type ModelConfigInput,
  parseScenario,
  type Scenario,
  ScenarioError,
  type ScenarioInput,
} from '../mock/scenario.ts';
export { FAULT_HEADER } from '../mock/server.ts';
export {
  type MockProvider,
  type MockProviderOptions,
  startMockProvider,
} from '../mock/start-mock-provider.ts';
export { createFakeClock, type FakeClock } from '../policy/fake-clock.ts';
