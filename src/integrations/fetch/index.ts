export { createFetch, type FetchDeps, type FetchOptions, type OutlastFetch } from './create-fetch.ts';
export type { PassthroughOptions } from './passthrough.ts';
export { SDK_RETRY_WARNING } from './sdk-retry-watch.ts';
