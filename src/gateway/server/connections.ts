/**
 * Open connections against `server.maxConnections`. A connection accepted over the limit is
 * marked (its requests get 503, health checks excepted) and idle keep-alive connections are
 * closed to make room; past a hard ceiling a little above the limit, new sockets are closed at
 * once, so file descriptors never run out and `/healthz` keeps answering.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionTracker {
  watch(server: Server): void;
  isOverLimit(socket: Socket): boolean;
  open(): number;
  /** A new limit (config reload), for connections from now on. */
  setMax(maxConnections: number): void;
}

/** Idle connections are reclaimed at most this often while over the limit. */
const RECLAIM_EVERY_MS = 1000;

export function createConnectionTracker(initialMax: number): ConnectionTracker {
  let maxConnections = initialMax;
  const ceilingOf = (max: number) => max + Math.max(16, Math.ceil(max / 10));
  let ceiling = ceilingOf(maxConnections);
  const overLimit = new WeakSet<Socket>();
  let open = 0;
  let reclaimedAt = Number.NEGATIVE_INFINITY;
  return {
    watch(server) {
      server.on('connection', (socket: Socket) => {
        if (open >= ceiling) {
          socket.destroy();
          return;
        }
        open++;
        socket.once('close', () => open--);
        if (open > maxConnections) {
          overLimit.add(socket);
          const now = performance.now();
          if (now - reclaimedAt >= RECLAIM_EVERY_MS) {
            reclaimedAt = now;
            server.closeIdleConnections();
          }
        }
      });
    },
    isOverLimit: (socket) => overLimit.has(socket),
    open: () => open,
    setMax(max) {
      maxConnections = max;
      ceiling = ceilingOf(max);
    },
  };
}
