import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readyLine, type Service, spawnService } from '../../bench/lib/child.ts';

const child = fileURLToPath(new URL('./fixtures/heap-child.ts', import.meta.url));
let service: Service | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

describe("the leak check's heap report from a child process", () => {
  it('collects garbage when the child has --expose-gc and names what keeps its loop alive', async () => {
    service = await spawnService({
      name: 'heap-child',
      args: ['--expose-gc', child],
      readyFromLine: readyLine,
    });
    const first = await service.heapReport();
    const second = await service.heapReport();
    expect(first.collected).toBe(true);
    expect(first.heapUsedMb).toBeGreaterThan(0);
    expect(second.heapUsedMb).toBeGreaterThan(0);
    expect(first.resources.Timeout).toBe(1);
  });

  it('says when the heap was read without a collection', async () => {
    service = await spawnService({ name: 'heap-child', args: [child], readyFromLine: readyLine });
    const report = await service.heapReport();
    expect(report.collected).toBe(false);
  });
});
