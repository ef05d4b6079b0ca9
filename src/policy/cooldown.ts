import type { Clock } from './clock.ts';

/** A target marked unavailable until a time, e.g. a 429's hinted reset. Plain data. */
export interface CooldownEntry {
  readonly untilMs: number;
  readonly reason: string;
}

/** Where cooldowns live; synchronous reads, like BreakerStore, so a remote store can cache locally. */
export interface CooldownStore {
  get(key: string): CooldownEntry | undefined;
  set(key: string, entry: CooldownEntry): void;
  delete(key: string): void;
  keys(): Iterable<string>;
}

export interface Cooldowns {
  /** Cools `key` until `untilMs`; an existing later cooldown is kept (a cooldown only extends). */
  coolUntil(key: string, untilMs: number, reason: string): void;
  /** The cooldown in force, or undefined once it has passed (it expires by itself, no timer). */
  isCooling(key: string): CooldownEntry | undefined;
  /** Lifts a cooldown early (the target answered after all). */
  clear(key: string): void;
  /** Every cooldown still in force, for status pages. */
  active(): Array<{ key: string } & CooldownEntry>;
}

export function createMemoryCooldownStore(): CooldownStore {
  const entries = new Map<string, CooldownEntry>();
  return {
    get: (key) => entries.get(key),
    set: (key, entry) => void entries.set(key, entry),
    delete: (key) => void entries.delete(key),
    keys: () => entries.keys(),
  };
}

export function createCooldowns(clock: Clock, store: CooldownStore = createMemoryCooldownStore()): Cooldowns {
  const isCooling = (key: string): CooldownEntry | undefined => {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (clock.now() < entry.untilMs) return entry;
    store.delete(key);
    return undefined;
  };
  return {
    coolUntil(key, untilMs, reason) {
      if (Number.isNaN(untilMs)) throw new RangeError(`untilMs must be a time in epoch ms, got ${untilMs}`);
      const current = isCooling(key);
      if (current && current.untilMs >= untilMs) return;
      if (untilMs <= clock.now()) return;
      store.set(key, { untilMs, reason });
    },
    isCooling,
    clear: (key) => store.delete(key),
    active() {
      const out: Array<{ key: string } & CooldownEntry> = [];
      for (const key of [...store.keys()]) {
        const entry = isCooling(key);
        if (entry) out.push({ key, ...entry });
      }
      return out;
    },
  };
}
