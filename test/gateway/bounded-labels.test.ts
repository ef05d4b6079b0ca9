/**
 * Clients cannot grow the gateway's state or its metric series by naming models: a model the
 * config does not name gets a 400 listing the routes, and with `allowAnyModel: true` such models
 * are served but share one label. Measured over the real mock: /metrics and /status keep their
 * series and their size across 1,000 requests naming random models.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { UNCONFIGURED_TARGETS_KEPT } from '../../src/engine/recent-targets.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const ROUTES = { default: ['anthropic/claude-sonnet-4-5', 'openai/gpt-4.1'], fast: ['openai/gpt-4.1-mini'] };

function chat(url: string, model: string) {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

/**
 * Series whose labels come from the runtime, not from requests: GC durations by kind (at most
 * four, each appearing with its first collection) and live handles and requests by type.
 */
const RUNTIME = /^nodejs_(gc_duration_seconds|active_)/;

/** The series of a Prometheus text page: every sample line without its value. */
function seriesOf(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#') && !RUNTIME.test(l))
    .map((l) => l.slice(0, l.lastIndexOf(' ')))
    .sort();
}

async function snapshot(url: string) {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const status = await (await fetch(`${url}/status`)).text();
  const targets = (JSON.parse(status) as { targets: Array<{ key: string }> }).targets.map((t) => t.key);
  // Bytes of the page, values included, without the runtime's own series.
  const size = metrics
    .split('\n')
    .filter((l) => !RUNTIME.test(l))
    .join('\n').length;
  return { metrics, size, series: seriesOf(metrics), status, targets };
}

/** `count` requests, `width` at a time, each naming a model nobody configured. */
async function randomModels(url: string, count: number, name: (i: number) => string) {
  const statuses: number[] = [];
  const bodies: string[] = [];
  for (let i = 0; i < count; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, count - i) }, (_, j) => chat(url, name(i + j))),
    );
    for (const res of batch) {
      statuses.push(res.status);
      bodies.push(await res.text());
    }
  }
  return { statuses, bodies };
}

const junk = () => randomBytes(6).toString('hex');
const SHAPES = [
  () => `oai/${junk()}`,
  () => `openai/${junk()}`,
  () => `anthropic/claude-${junk()}`,
  () => `claude-${junk()}`,
  () => `gpt-${junk()}`,
  () => junk(),
];

describe('bounded labels and state', () => {
  it('refuses 1,000 unknown models with a 400 naming the routes; /metrics and /status do not grow', async () => {
    harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 3 } });
    const gateway = await harness.start({ routes: ROUTES });
    // A configured route and a configured target by its bare name work, and every series they make exists before.
    expect((await chat(gateway.url, 'default')).status).toBe(200);
    expect((await chat(gateway.url, 'gpt-4.1-mini')).status).toBe(200);
    expect((await randomModels(gateway.url, 5, () => `oai/${junk()}`)).statuses).toEqual([
      400, 400, 400, 400, 400,
    ]);
    await snapshot(gateway.url); // so that the snapshot's own requests have their series
    const before = await snapshot(gateway.url);

    const { statuses, bodies } = await randomModels(gateway.url, 1000, (i) => SHAPES[i % SHAPES.length]!());
    expect(statuses.every((s) => s === 400)).toBe(true);
    const error = JSON.parse(bodies[0]!) as { error: { message: string; code?: string } };
    expect(error.error.message).toMatch(/is not served by this gateway; ask for a route \(default, fast\)/);
    expect(error.error.message).toContain('openai/gpt-4.1-mini');
    // None of them reached an upstream.
    expect(harness.mock.log()).toHaveLength(2);

    const after = await snapshot(gateway.url);
    expect(after.series).toEqual(before.series);
    expect(after.targets).toEqual(before.targets);
    expect(after.status.length).toBe(before.status.length);
    // Counters move from 7 to 1,007 (a few digits each): nothing near a line per model.
    expect(Math.abs(after.size - before.size)).toBeLessThan(before.size * 0.02);
  });

  it('with allowAnyModel serves 1,000 unknown models under one label; /metrics and /status do not grow', async () => {
    harness = await createHarness({ defaults: { firstTokenMs: 0, tokenMs: 0, answerTokens: 3 } });
    const gateway = await harness.start({ routes: ROUTES, allowAnyModel: true });
    expect((await chat(gateway.url, 'default')).status).toBe(200);
    expect((await randomModels(gateway.url, 5, () => `openai/gpt-${junk()}`)).statuses).toEqual([
      200, 200, 200, 200, 200,
    ]);
    await snapshot(gateway.url); // so that the snapshot's own requests have their series
    const before = await snapshot(gateway.url);
    expect(before.metrics).toMatch(
      /outlast_attempts_total\{provider="openai",model="other",outcome="success",error_kind=""\} 5/,
    );
    expect(before.metrics).toMatch(/outlast_calls_total\{route="other",[^}]*outcome="success"[^}]*\} 5/);

    const { statuses } = await randomModels(gateway.url, 1000, () => `openai/gpt-${junk()}`);
    expect(statuses.every((s) => s === 200)).toBe(true);

    const after = await snapshot(gateway.url);
    expect(after.metrics).toMatch(
      /outlast_attempts_total\{provider="openai",model="other",outcome="success",error_kind=""\} 1005/,
    );
    expect(after.series).toEqual(before.series);
    expect(after.targets).toEqual(before.targets);
    expect(after.targets).not.toContainEqual(expect.stringMatching(/^openai\/gpt-[0-9a-f]{12}$/));
    expect(Math.abs(after.size - before.size)).toBeLessThan(before.size * 0.02);
    // The engine's own health state is bounded too: the configured targets and the latest few others.
    const engineTargets = gateway.engine.status();
    const configured = engineTargets.filter((t) => !/^gpt-[0-9a-f]{12}$/.test(t.model));
    expect(configured.map((t) => t.key).sort()).toEqual([...before.targets].sort());
    expect(engineTargets.length - configured.length).toBe(UNCONFIGURED_TARGETS_KEPT);
  });
});
