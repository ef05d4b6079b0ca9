/**
 * The control messages between `outlast gateway --workers N`'s primary process and its
 * workers (node:cluster IPC, beside the state messages of src/state/cluster-protocol.ts).
 */
import type { GatewayConfig } from '../config/index.ts';

export const CONTROL_NS = 'outlast:cluster';

export interface WorkerInfo {
  /** node:cluster's worker id: a restarted worker gets a new one. */
  readonly id: number;
  readonly pid: number;
  /** Epoch ms. */
  readonly startedAt: number;
}

/** What /status shows of the cluster. */
export interface ClusterStatus {
  /** The worker that answered this request. */
  readonly worker: number;
  /** Workers serving now. */
  readonly workers: readonly WorkerInfo[];
  /** Workers the primary keeps running (`--workers`). */
  readonly size: number;
  /** Workers restarted since the primary started. */
  readonly restarts: number;
}

type Msg<T extends string, B = object> = { readonly ns: typeof CONTROL_NS; readonly t: T } & B;

export type PrimaryMessage =
  | Msg<'start', { config: GatewayConfig; port?: number; host?: string }>
  | Msg<'reload', { config: GatewayConfig; seq: number }>
  | Msg<'drain'>
  | Msg<'workers', { workers: readonly WorkerInfo[]; size: number; restarts: number }>
  /** The primary collects every worker's metrics (as JSON) to sum them. */
  | Msg<'collect-metrics', { id: number }>
  /** The answer to a worker's `metrics`: every worker's, summed. */
  | Msg<'metrics-text', { id: number; text?: string; error?: string }>;

export type WorkerMessage =
  | Msg<'ready', { url: string }>
  | Msg<'failed', { message: string }>
  | Msg<'reloaded', { seq: number; applied: boolean; reason?: string }>
  | Msg<'collected-metrics', { id: number; metrics: unknown[] }>
  /** A worker's /metrics asks for every worker's. */
  | Msg<'metrics', { id: number }>;

export function isControl<M extends PrimaryMessage | WorkerMessage>(message: unknown): message is M {
  return typeof message === 'object' && message !== null && (message as { ns?: unknown }).ns === CONTROL_NS;
}
