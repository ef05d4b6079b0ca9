/** `--workers N | auto` and `server.workers`: how many processes serve the port. */
import { availableParallelism } from 'node:os';

/** `auto`: one per core this process may use (os.availableParallelism). */
export function resolveWorkers(value: number | 'auto' | undefined): number {
  if (value === undefined) return 1;
  return value === 'auto' ? availableParallelism() : value;
}

/** The CLI's text; undefined when not given. */
export function parseWorkersFlag(value: unknown): number | 'auto' | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    throw new Error(`--workers: expected a positive integer (at most 1024) or auto, got ${String(value)}`);
  return n;
}
