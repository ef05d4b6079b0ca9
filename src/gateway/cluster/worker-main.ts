/**
 * A worker of `outlast gateway --workers N` (forked by cluster/primary.ts): waits for the
 * primary's config, serves it on the shared port, and answers the primary's reload, drain and
 * metrics messages. Signals are the primary's to coordinate: SIGTERM or SIGINT sent here
 * directly (a terminal's Ctrl-C reaches the whole process group) drains this worker alone.
 */
import cluster from 'node:cluster';
import { createClusterState, processChannel } from '../../state/index.ts';
import { createTransport } from '../../transport/index.ts';
import { isPrefillRejection } from '../../wire/anthropic/index.ts';
import { anthropicCodec, codecFor, openaiCodec } from '../../wire/index.ts';
import { type Gateway, startGatewayWith } from '../start-gateway.ts';
import type { ClusterMember } from './member.ts';
import {
  type ClusterStatus,
  CONTROL_NS,
  isControl,
  type PrimaryMessage,
  type WorkerMessage,
} from './protocol.ts';

if (!cluster.isWorker || !cluster.worker || !process.send) {
  process.stderr.write(
    'outlast: cluster/worker-main.ts runs only as a worker of `outlast gateway --workers N`\n',
  );
  process.exit(1);
}
const workerId = cluster.worker.id;

const send = (message: WorkerMessage) => {
  if (process.connected) process.send?.(message);
};

let status: ClusterStatus = { worker: workerId, workers: [], size: 0, restarts: 0 };
let collect: (() => Promise<unknown[]>) | undefined;
let nextMetricsId = 0;
const metricsWaiting = new Map<number, { resolve: (text: string) => void; reject: (e: Error) => void }>();

const member: ClusterMember = {
  workerId,
  createState: () => createClusterState(processChannel()),
  provideMetrics(fn) {
    collect = fn;
  },
  status: () => ({ ...status, worker: workerId }),
  metrics() {
    const id = nextMetricsId++;
    return new Promise<string>((resolve, reject) => {
      // The primary answers within its own collection timeout; this bounds a primary that does not.
      const timer = setTimeout(() => {
        metricsWaiting.delete(id);
        reject(new Error('the primary process did not send the metrics within 5000 ms'));
      }, 5000);
      const settle =
        <T>(fn: (value: T) => void) =>
        (value: T) => {
          clearTimeout(timer);
          fn(value);
        };
      metricsWaiting.set(id, { resolve: settle(resolve), reject: settle(reject) });
      send({ ns: CONTROL_NS, t: 'metrics', id });
    });
  },
};

let gateway: Gateway | undefined;
let pendingReload: Extract<PrimaryMessage, { t: 'reload' }> | undefined;
let draining = false;
const drain = () => {
  if (draining) return;
  draining = true;
  void (async () => {
    await gateway?.close();
    process.exit(0);
  })();
};

const onMessage = async (message: PrimaryMessage) => {
  switch (message.t) {
    case 'start': {
      try {
        gateway = await startGatewayWith(
          {
            config: message.config,
            ...(message.port === undefined ? {} : { port: message.port }),
            ...(message.host === undefined ? {} : { host: message.host }),
          },
          {
            transport: createTransport(),
            codecFor,
            isPrefillRejection,
            serverCodecs: { anthropic: anthropicCodec, openai: openaiCodec },
            cluster: member,
          },
        );
        send({ ns: CONTROL_NS, t: 'ready', url: gateway.url });
        if (pendingReload) void onMessage(pendingReload);
        pendingReload = undefined;
      } catch (error) {
        send({
          ns: CONTROL_NS,
          t: 'failed',
          message: error instanceof Error ? error.message : String(error),
        });
        // Let the message leave before the channel closes with the process.
        setImmediate(() => process.exit(1));
      }
      return;
    }
    case 'reload': {
      if (!gateway) {
        // Still starting with the config from before: apply this one once it listens.
        pendingReload = message;
        return;
      }
      const result = await gateway.reload(message.config);
      send({ ns: CONTROL_NS, t: 'reloaded', seq: message.seq, ...result });
      return;
    }
    case 'drain':
      drain();
      return;
    case 'workers':
      status = { worker: workerId, workers: message.workers, size: message.size, restarts: message.restarts };
      return;
    case 'collect-metrics': {
      const metrics = collect ? await collect() : [];
      send({ ns: CONTROL_NS, t: 'collected-metrics', id: message.id, metrics });
      return;
    }
    case 'metrics-text': {
      const waiting = metricsWaiting.get(message.id);
      metricsWaiting.delete(message.id);
      if (message.text !== undefined) waiting?.resolve(message.text);
      else waiting?.reject(new Error(message.error ?? 'the primary sent no metrics'));
      return;
    }
  }
};

process.on('message', (message: unknown) => {
  if (isControl<PrimaryMessage>(message)) void onMessage(message);
});
process.on('SIGTERM', drain);
process.on('SIGINT', drain);
// The primary reloads every worker on its own SIGHUP; one sent to the group must not kill this one.
process.on('SIGHUP', () => {});
