import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { runMockCommand } from '../../src/mock/cli.ts';
import type { MockProvider } from '../../src/testing/index.ts';

describe('runMockCommand', () => {
  it('serves a scenario file, prints its URL, and stops when told', async () => {
    const file = join(tmpdir(), `outlast-mock-${process.pid}.yaml`);
    writeFileSync(file, 'name: from-file\nmodels:\n  m:\n    faults: ["503"]\n');
    const lines: string[] = [];
    let stop!: () => void;
    const stopSignal = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let started!: (mock: MockProvider) => void;
    const running = new Promise<MockProvider>((resolve) => {
      started = resolve;
    });
    const done = runMockCommand(
      { port: 0, scenario: file, seed: 5 },
      { print: (line) => lines.push(line), stopSignal, onStart: started },
    );
    const mock = await running;
    expect(lines[0]).toBe(`outlast mock listening on ${mock.url}`);
    expect(lines[1]).toContain('from-file');
    const res = await request(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    });
    await res.body.text();
    expect(res.statusCode).toBe(503);
    stop();
    await done;
    expect(lines.at(-1)).toBe('outlast mock stopped');
    await expect(request(`${mock.url}/_mock/health`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('refuses an unknown scenario with the names it knows', async () => {
    await expect(
      runMockCommand({ port: 0, scenario: 'nope' }, { stopSignal: Promise.resolve() }),
    ).rejects.toThrow(/healthy, flaky, outage, rate-limited, stream-chaos/);
  });
});
