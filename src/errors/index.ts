// The errors layer, for the rest of outlast. The public entry (src/index.ts) exports by name only
// what users need; the classifier and the treatment table are internals.
export {
  classifyHttpFailure,
  type HttpFailureFacts,
  type ProviderErrorTypes,
  toOutlastError,
} from './classify.ts';
export {
  codeOfKind,
  isOutlastErrorCode,
  type KindCode,
  OUTLAST_ERROR_CODES,
  type OutlastErrorCode,
  SPECIFIC_CODES,
  type SpecificCode,
  type TimeoutCode,
  timeoutCode,
} from './codes.ts';
export {
  type CooldownFacts,
  cooldownEndOf,
  DEFAULT_QUOTA_COOLDOWN_MS,
  ERROR_KINDS,
  type ErrorKind,
  FAILURE_TABLE,
  type FailureTreatment,
  isTransientKind,
  TIMEOUT_PHASES,
  type TimeoutPhase,
  treatmentOf,
} from './error-kind.ts';
export {
  type AttemptRecord,
  clientMessageOf,
  formatDuration,
  OutlastError,
  type OutlastErrorOptions,
  targetLabel,
} from './outlast-error.ts';
export {
  type UpstreamErrorFacts,
  upstreamError,
  upstreamErrorMessage,
  withUpstreamFacts,
} from './upstream-error.ts';
