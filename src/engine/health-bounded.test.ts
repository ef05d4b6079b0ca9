/**
 * A client naming a new model on every call (allowAnyModel, or the library asked for any
 * provider/model) cannot grow the engine's health state without bound: targets the
 * configuration does not name keep state for the most recently used few only, configured
 * targets always, and a target with an attempt in flight is never forgotten under it.
 */
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../policy/fake-clock.ts';
import { createEventHub } from './events.ts';
import { createHealth } from './health.ts';
import { UNCONFIGURED_TARGETS_KEPT } from './recent-targets.ts';
import { targetOf } from './routes.ts';
import { resolveSettings } from './settings.ts';

const CONFIGURED = targetOf('openai/gpt-4.1');

function setup() {
  const settings = resolveSettings({
    providers: { openai: { type: 'openai', apiKey: 'k' } },
    routes: { default: [CONFIGURED.key] },
  });
  const clock = createFakeClock();
  const health = createHealth(settings, createEventHub(), {
    clock,
    isConfigured: (key) => key === CONFIGURED.key,
  });
  return { health, clock };
}

/** One failed attempt on the target, as a call makes it: permit, outcome, a hinted cooldown, a refused prefill. */
function failOnce(
  health: ReturnType<typeof setup>['health'],
  clock: ReturnType<typeof setup>['clock'],
  key: string,
) {
  const target = targetOf(key);
  const permit = health.acquire(target);
  if (!permit.allowed) throw new Error(`${key} refused: ${permit.reason}`);
  permit.release('failure', 'server');
  health.record(target, { ok: false, kind: 'server', status: 500, message: 'boom' });
  health.coolUntil(key, clock.now() + 60_000, 'rate_limited');
  health.markPrefillRejected(key);
}

describe('health state with targets the config does not name', () => {
  it('1,000 random models leave it bounded; the configured target keeps its state', () => {
    const { health, clock } = setup();
    health.record(CONFIGURED, { ok: false, kind: 'overloaded', status: 529, message: 'busy' });
    health.markPrefillRejected(CONFIGURED.key);
    for (let i = 0; i < 1000; i++) failOnce(health, clock, `openai/random-${i}`);

    const sizes = health.sizes();
    const most = UNCONFIGURED_TARGETS_KEPT + 1;
    expect(sizes.stats).toBe(most);
    expect(sizes.prefill).toBe(most);
    expect(sizes.seen).toBe(most);
    // The kept targets' breakers and the provider's (the configured target's is made when first asked).
    expect(sizes.breakers).toBe(most);
    expect(sizes.inFlight).toBe(0);
    expect(health.seen().length).toBe(most);
    // The configured target was never forgotten, however many others came after it.
    expect(health.acceptsPrefill(CONFIGURED.key)).toBe(false);
    expect(health.lastFailureAt(CONFIGURED.key)).toBeDefined();
    const [status] = health.status([CONFIGURED]);
    expect(status?.recentFailures).toHaveLength(1);
    // The most recent ones are kept, the oldest forgotten (its cooldown with it).
    expect(health.acceptsPrefill('openai/random-999')).toBe(false);
    expect(health.acceptsPrefill('openai/random-0')).toBeUndefined();
    expect(health.acquire(targetOf('openai/random-0')).allowed).toBe(true);
  });

  it('a target with an attempt in flight is not forgotten while others pass', () => {
    const { health, clock } = setup();
    const busy = targetOf('openai/long-call');
    const permit = health.acquire(busy);
    expect(permit.allowed).toBe(true);
    health.markPrefillRejected(busy.key);
    for (let i = 0; i < 2 * UNCONFIGURED_TARGETS_KEPT; i++) failOnce(health, clock, `openai/random-${i}`);
    expect(health.acceptsPrefill(busy.key)).toBe(false);
    expect(health.sizes().prefill).toBe(UNCONFIGURED_TARGETS_KEPT);
    if (permit.allowed) permit.release('success');
    // Released, it is the oldest: the next new target pushes it out.
    failOnce(health, clock, 'openai/one-more');
    expect(health.acceptsPrefill(busy.key)).toBeUndefined();
    expect(health.sizes().prefill).toBe(UNCONFIGURED_TARGETS_KEPT);
  });
});
