/**
 * Child of spread.ts: a worker with the cluster state store. Told `set`, it cools a key; a
 * cooldown it hears from another worker it reports once the entry is in its store.
 */
import { createClusterState, isStateMessage, processChannel } from '../../src/state/index.ts';

const state = createClusterState(processChannel());
await state.ready(5000);
process.on('message', (message: unknown) => {
  // The store's own listener was added first: by now the entry is in the store.
  if (isStateMessage(message) && message.t === 'c') {
    if (state.cooldownStore.get(message.k)) process.send?.({ bench: 'seen', key: message.k });
    return;
  }
  const m = message as { bench?: string; key?: string };
  if (m.bench === 'set' && m.key)
    state.cooldownStore.set(m.key, { untilMs: Date.now() + 60_000, reason: 'bench' });
});
process.send?.({ bench: 'ready' });
