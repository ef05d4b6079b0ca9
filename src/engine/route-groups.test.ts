import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../policy/fake-clock.ts';
import { createSeededRandom } from '../policy/seeded-random.ts';
import { resolveRoute } from './routes.ts';
import { createBalancing } from './routing/balancing.ts';
import { resolveSettings } from './settings.ts';

const providers = { east: { type: 'openai' }, west: { type: 'openai' }, openai: { type: 'openai' } };
const settingsOf = (routes: Record<string, unknown>) => resolveSettings({ providers, routes });
const bad = (routes: Record<string, unknown>) => {
  try {
    settingsOf(routes);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the routes to be rejected');
};

describe('route groups in the options', () => {
  it('flatten into the route: members in place, the group as a span of the targets', () => {
    const s = settingsOf({
      default: [{ balance: 'latency', targets: ['east/gpt-4.1', 'west/gpt-4.1'] }, 'openai/gpt-4.1'],
      tiered: {
        targets: [
          'openai/gpt-4.1',
          { balance: 'weighted', targets: [{ target: 'east/gpt-4.1', weight: 3 }, 'west/gpt-4.1'] },
        ],
        prefer: 'fastest',
      },
    });
    expect(s.routes.default).toMatchObject({
      targets: ['east/gpt-4.1', 'west/gpt-4.1', 'openai/gpt-4.1'],
      groups: [{ start: 0, size: 2, balance: 'latency' }],
    });
    expect(s.routes.tiered).toMatchObject({
      targets: ['openai/gpt-4.1', 'east/gpt-4.1', 'west/gpt-4.1'],
      groups: [{ start: 1, size: 2, balance: 'weighted', weights: [3, 1] }],
      hintWaitMs: 0,
    });
  });

  it('name the bad part of a group and its value', () => {
    expect(bad({ r: [{ balance: 'fastest', targets: ['east/m'] }] })).toMatch(
      /routes\.r.*expected one of weighted, round-robin, least-busy, latency/,
    );
    expect(bad({ r: [{ balance: 'latency', targets: ['east/m', 'east/m'] }] })).toMatch(
      /routes\.r\.0\.targets\.1: "east\/m" is listed twice/,
    );
    expect(bad({ r: [{ balance: 'round-robin', targets: [{ target: 'east/m', weight: 2 }] }] })).toMatch(
      /routes\.r\.0\.targets\.0\.weight: a weight applies only to balance: weighted/,
    );
    expect(bad({ r: [{ balance: 'weighted', targets: [{ target: 'east/m', weight: 0 }] }] })).toMatch(
      /routes\.r\.0\.targets\.0\.weight: expected a weight > 0, got 0/,
    );
    expect(bad({ r: [{ balance: 'weighted', targets: [] }] })).toMatch(/expected at least one target/);
    expect(bad({ r: [{ balance: 'latency', targets: ['nobody/m'] }] })).toBe(
      'routes.r.0.targets.0: unknown provider "nobody" (providers: east, west, openai)',
    );
    expect(bad({ r: [{ balance: 'weighted', targets: [{ target: 'wset/m', weight: 1 }] }] })).toBe(
      'routes.r.0.targets.0.target: unknown provider "wset", did you mean "west"?',
    );
  });
});

describe('a call through a route with a group', () => {
  it('gets the group members in its balancer order, the rest of the chain after them', () => {
    const settings = settingsOf({
      default: [
        'openai/gpt-4.1',
        { balance: 'round-robin', targets: ['east/a', 'west/b', 'east/c'] },
        'openai/z',
      ],
    });
    const clock = createFakeClock();
    const balancing = createBalancing(settings, { clock, random: createSeededRandom(1) });
    const route = resolveRoute('default', settings.routes, settings.providers);
    const keys = () => balancing.order(route).map((t) => t.key);
    expect(keys()).toEqual(['openai/gpt-4.1', 'east/a', 'west/b', 'east/c', 'openai/z']);
    expect(keys()).toEqual(['openai/gpt-4.1', 'west/b', 'east/c', 'east/a', 'openai/z']);
    expect(keys()).toEqual(['openai/gpt-4.1', 'east/c', 'east/a', 'west/b', 'openai/z']);
  });

  it('least-busy sends the next call to the member with fewer calls in flight', () => {
    const settings = settingsOf({ default: [{ balance: 'least-busy', targets: ['east/a', 'west/a'] }] });
    const balancing = createBalancing(settings, { clock: createFakeClock(), random: () => 0 });
    const route = resolveRoute('default', settings.routes, settings.providers);
    const busy = balancing.begin('east/a');
    expect(balancing.order(route).map((t) => t.key)).toEqual(['west/a', 'east/a']);
    busy.end('ok');
    const other = balancing.begin('west/a');
    expect(balancing.order(route).map((t) => t.key)).toEqual(['east/a', 'west/a']);
    other.end('ok');
  });
});
