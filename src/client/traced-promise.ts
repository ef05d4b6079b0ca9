import type { Trace } from '../engine/index.ts';

/** A call's promise with `.withTrace()`, which resolves with the data and the call's trace. */
export interface TracedPromise<T> extends Promise<T> {
  withTrace(): Promise<{ data: T; trace: Trace }>;
}

export function traced<T>(data: Promise<T>, trace: () => Promise<Trace>): TracedPromise<T> {
  // An unobserved failure stays the caller's to see through the promise, not an unhandled rejection here.
  data.catch(() => {});
  return Object.assign(data, {
    withTrace: async () => {
      const value = await data;
      return { data: value, trace: await trace() };
    },
  });
}
