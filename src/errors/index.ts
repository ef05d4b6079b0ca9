export { classifyHttpFailure, type HttpFailureFacts, toOutlastError } from './classify.ts';
export {
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
  formatDuration,
  OutlastError,
  type OutlastErrorOptions,
  targetLabel,
} from './outlast-error.ts';
