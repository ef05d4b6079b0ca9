import type { TransportOptions } from './types.ts';

/** Bad options fail at construction, naming the option and the value. */
export function checkTransportOptions(options: TransportOptions): void {
  const { connectionsPerOrigin, keepAliveTimeoutMs } = options;
  if (
    connectionsPerOrigin !== undefined &&
    !(Number.isInteger(connectionsPerOrigin) && connectionsPerOrigin >= 1)
  ) {
    throw new RangeError(`connectionsPerOrigin must be an integer >= 1, got ${String(connectionsPerOrigin)}`);
  }
  if (keepAliveTimeoutMs !== undefined && !(Number.isFinite(keepAliveTimeoutMs) && keepAliveTimeoutMs > 0)) {
    throw new RangeError(`keepAliveTimeoutMs must be a number of ms > 0, got ${String(keepAliveTimeoutMs)}`);
  }
}
