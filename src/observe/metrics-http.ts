/** The gateway's own HTTP metrics, next to the engine's in the same registry. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface HttpMetrics {
  /** Call when a request arrives; the returned function when its response is finished. */
  start(endpoint: string): (status: number) => void;
  /** 1 while the shared state store is unreachable and this instance runs on local state. */
  setStateDegraded(degraded: boolean): void;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: 'outlast_http_requests_total',
    help: 'Gateway HTTP requests, by endpoint and status',
    labelNames: ['endpoint', 'status'] as const,
    registers,
  });
  const seconds = new Histogram({
    name: 'outlast_http_request_duration_seconds',
    help: 'Gateway HTTP request latency, until the response is finished',
    labelNames: ['endpoint'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers,
  });
  const inFlight = new Gauge({
    name: 'outlast_http_in_flight',
    help: 'Gateway requests being served',
    registers,
  });
  const degraded = new Gauge({
    name: 'outlast_state_degraded',
    // Summed over `--workers N` a state would read as another; every worker holds the shared one.
    aggregator: 'max',
    help: '1 while the shared state store (Redis) is unreachable',
    registers,
  });
  degraded.set(0);
  return {
    start(endpoint) {
      const started = performance.now();
      inFlight.inc();
      let done = false;
      return (status) => {
        if (done) return;
        done = true;
        inFlight.dec();
        requests.inc({ endpoint, status: String(status) });
        seconds.observe({ endpoint }, (performance.now() - started) / 1000);
      };
    },
    setStateDegraded: (value) => degraded.set(value ? 1 : 0),
  };
}
