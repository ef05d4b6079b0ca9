/**
 * The primary's copy of a cluster's breaker states and cooldowns. Workers send it their
 * transitions; it keeps a transition unless it holds a later one (the same rule the Redis
 * store's scripts apply), passes what it kept to the other workers, and answers the sender
 * with the winner when the sender lost. A worker whose store says hello (it listens from
 * then on) gets everything at once; before that it is sent nothing, which would be lost.
 */
import type { BreakerState, CooldownEntry } from '../policy/index.ts';
import { isStateMessage, STATE_NS, type StateChannel, type StateMessage } from './cluster-protocol.ts';
import { breakerNeedsPush, cooldownReplaces } from './merge.ts';

export interface StateHub {
  /** Serves one worker's link; the returned function detaches it (the worker exited). */
  attach(channel: StateChannel): () => void;
  /** Workers attached now. */
  size(): number;
}

export function createStateHub(options: { now?: () => number } = {}): StateHub {
  const now = options.now ?? Date.now;
  const breakers = new Map<string, BreakerState>();
  const cooldowns = new Map<string, CooldownEntry>();
  /** The links whose store said hello. */
  const channels = new Set<StateChannel>();

  const others = (from: StateChannel, message: StateMessage) => {
    for (const channel of channels) if (channel !== from) safeSend(channel, message);
  };

  const receive = (from: StateChannel, message: StateMessage) => {
    if (message.t === 'hello') {
      channels.add(from);
      safeSend(from, snapshot());
    } else if (message.t === 'b') {
      const stored = breakers.get(message.k);
      if (stored && !breakerNeedsPush(message.v, stored)) {
        // The sender lost a race: tell it what won, as the Redis script returns it.
        safeSend(from, { ns: STATE_NS, t: 'b', k: message.k, v: stored });
        return;
      }
      breakers.set(message.k, message.v);
      others(from, message);
    } else if (message.t === 'c') {
      if (!cooldownReplaces(message.v, cooldowns.get(message.k))) return;
      cooldowns.set(message.k, message.v);
      others(from, message);
    } else if (message.t === 'cd') {
      const stored = cooldowns.get(message.k);
      // Extended by someone since the sender saw it: the extension stands.
      if (!stored || stored.untilMs > message.until) return;
      cooldowns.delete(message.k);
      others(from, message);
    }
  };

  const snapshot = (): StateMessage => {
    const at = now();
    for (const [key, entry] of cooldowns) if (entry.untilMs <= at) cooldowns.delete(key);
    return { ns: STATE_NS, t: 'snapshot', breakers: [...breakers], cooldowns: [...cooldowns] };
  };

  return {
    attach(channel) {
      let attached = true;
      const off = channel.onMessage((message) => {
        if (attached && isStateMessage(message)) receive(channel, message);
      });
      return () => {
        attached = false;
        channels.delete(channel);
        off();
      };
    },
    size: () => channels.size,
  };
}

/** A worker going away mid-send is normal: it gets the snapshot again if it is restarted. */
function safeSend(channel: StateChannel, message: StateMessage): void {
  try {
    channel.send(message);
  } catch {
    // The link closed: the exit handler detaches it.
  }
}
