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
}

/** Idle connections are reclaimed at most this often while over the limit. */
const RECLAIM_EVERY_MS = 1000;

export function createConnectionTracker(maxConnections: number): ConnectionTracker {
  const ceiling = maxConnections + Math.max(16, Math.ceil(maxConnections / 10));
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
  };
}
