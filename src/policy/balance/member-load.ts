/**
 * What a balancer knows of each member, per instance: calls in flight and a peak-sensitive
 * average of time to first token. These are facts of this process (its own calls, its own
 * network path), so they are never shared between instances.
 */
import { createPeakEwma, DEFAULT_DECAY_MS, type PeakEwma } from './peak-ewma.ts';

/** One attempt on a member, from its start to its end. */
export interface LoadTicket {
  /** The attempt's first token arrived `ms` after it started. */
  firstToken(ms: number): void;
  /**
   * The attempt ended (once; later calls are ignored). A failure before any first token is a
   * slow sample; a cancelled attempt (the caller left, another attempt won) is no sample.
   */
  end(outcome: 'ok' | 'failed' | 'cancelled'): void;
}

export interface MemberLoad {
  begin(key: string): LoadTicket;
  inFlight(key: string): number;
  /** The decayed average time to first token (ms); undefined before the first sample. */
  latency(key: string, now: number): number | undefined;
  /**
   * How long the oldest attempt still waiting for its first token has waited (ms), or 0: a
   * member that turned slow is seen as slow while its first slow answer is still on the way.
   */
  oldestWait(key: string, now: number): number;
}

interface Member {
  inFlight: number;
  /** Start times of attempts that have no first token yet. */
  waiting: Set<{ startedAt: number }>;
  ewma: PeakEwma;
}

export function createMemberLoad(options: { now: () => number; decayMs?: number }): MemberLoad {
  const { now } = options;
  const decayMs = options.decayMs ?? DEFAULT_DECAY_MS;
  const members = new Map<string, Member>();
  const memberOf = (key: string): Member => {
    let m = members.get(key);
    if (!m) {
      m = { inFlight: 0, waiting: new Set(), ewma: createPeakEwma(decayMs) };
      members.set(key, m);
    }
    return m;
  };
  return {
    begin(key) {
      const m = memberOf(key);
      const startedAt = now();
      const waiting = { startedAt };
      m.inFlight++;
      m.waiting.add(waiting);
      let ended = false;
      let measured = false;
      return {
        firstToken(ms) {
          if (ended || measured) return;
          measured = true;
          m.waiting.delete(waiting);
          m.ewma.observe(ms, now());
        },
        end(outcome) {
          if (ended) return;
          ended = true;
          m.inFlight--;
          m.waiting.delete(waiting);
          if (measured || outcome === 'cancelled') return;
          const at = now();
          const elapsed = at - startedAt;
          if (outcome === 'ok') {
            m.ewma.observe(elapsed, at);
          } else {
            // A failure is no evidence of speed: it counts as at least twice what was expected,
            // so a member failing fast does not draw traffic (its breaker decides the rest).
            m.ewma.observe(Math.max(elapsed, 2 * (m.ewma.estimate(at) ?? elapsed)), at);
          }
        },
      };
    },
    inFlight: (key) => members.get(key)?.inFlight ?? 0,
    latency: (key, at) => members.get(key)?.ewma.estimate(at),
    oldestWait(key, at) {
      let oldest = at;
      for (const w of members.get(key)?.waiting ?? []) oldest = Math.min(oldest, w.startedAt);
      return at - oldest;
    },
  };
}
