// The `outlast` entry point. The client (createClient) lands with the engine.
export * from './errors/index.ts';
export type * from './wire/canonical/types.ts';
