import { describe, expect, it } from 'vitest';
import { createSdkRetryWatch, SDK_RETRY_WARNING } from './sdk-retry-watch.ts';

describe('createSdkRetryWatch', () => {
  it('warns once, on the first request the SDK numbers as a retry', () => {
    const warnings: string[] = [];
    const watch = createSdkRetryWatch((m) => warnings.push(m));
    watch(new Headers({ 'x-stainless-retry-count': '0' }));
    watch(new Headers());
    expect(warnings).toEqual([]);
    watch(new Headers({ 'x-stainless-retry-count': '1' }));
    watch(new Headers({ 'x-stainless-retry-count': '2' }));
    expect(warnings).toEqual([SDK_RETRY_WARNING]);
  });
});
