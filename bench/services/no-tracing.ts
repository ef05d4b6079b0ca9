/**
 * Preload (`node --import ./bench/services/no-tracing.ts …`): every import of
 * src/observe/tracing.ts resolves to tracing-stub.ts instead, so a gateway runs with its
 * tracing compiled out and nothing else changed.
 */
import { registerHooks } from 'node:module';

const STUB = new URL('./tracing-stub.ts', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    return resolved.url.endsWith('/src/observe/tracing.ts') ? { ...resolved, url: STUB } : resolved;
  },
});
