/**
 * The gateway's optional OTLP trace exporter (`telemetry: { otlp: { endpoint } }`): a tracer
 * provider with a batching processor and the OTLP/HTTP exporter, loaded only when configured
 * (the SDK packages are never imported otherwise).
 */
import type { TracerProvider } from '@opentelemetry/api';

export interface OtlpOptions {
  /** OTLP/HTTP traces endpoint, e.g. `http://127.0.0.1:4318/v1/traces`. */
  endpoint: string;
  /** `service.name`; default `outlast-gateway`. */
  serviceName?: string;
  headers?: Record<string, string>;
}

export interface OtlpTracing {
  readonly tracerProvider: TracerProvider;
  /** Flushes what is batched and stops. */
  shutdown(): Promise<void>;
}

export async function startOtlpTracing(options: OtlpOptions): Promise<OtlpTracing> {
  const [
    { TracerProvider: SdkTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const exporter = new OTLPTraceExporter({
    url: options.endpoint,
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const provider = new SdkTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'outlast-gateway' }),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  return { tracerProvider: provider, shutdown: () => provider.shutdown() };
}
