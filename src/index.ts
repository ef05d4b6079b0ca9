// The `outlast` entry point: the library client, the engine it runs on, errors and the canonical model.
export * from './client/index.ts';
export {
  BUILTIN_MODELS,
  type CallOptions,
  clientOptionsSchema,
  createEngine,
  type Engine,
  type EngineCall,
  type EngineDeps,
  type EngineEvent,
  type EngineEventType,
  type EngineOptions,
  type LoggerLike,
  type ModelInfo,
  type OnInterrupt,
  type SkipReason,
  type TargetStatus,
  TIMEOUT_PROFILE_TABLE,
  type TimeoutOption,
  type Trace,
} from './engine/index.ts';
// Errors by name: the error, its kinds and codes, and the record of each attempt (the classifier
// and the failure table are internals).
export {
  type AttemptRecord,
  ERROR_KINDS,
  type ErrorKind,
  OUTLAST_ERROR_CODES,
  OutlastError,
  type OutlastErrorCode,
  TIMEOUT_PHASES,
  type TimeoutPhase,
} from './errors/index.ts';
export { attachLogger, createRedactor } from './observe/logging.ts';
export type * from './wire/canonical/types.ts';
