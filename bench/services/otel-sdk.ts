/**
 * Preload (`node --import ./bench/services/otel-sdk.ts …`): registers an OpenTelemetry SDK
 * tracer provider whose spans are made, ended and dropped (an exporter that keeps nothing), so
 * the tracing A/B can show what recording costs beside what the unregistered path does not.
 */
import { trace } from '@opentelemetry/api';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

const dropAll = {
  export: (_spans: unknown, done: (result: { code: 0 }) => void) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
};

trace.setGlobalTracerProvider(
  new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: dropAll })] }),
);
