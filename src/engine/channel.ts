/**
 * A single-consumer async queue between the engine's run and whoever iterates the call.
 * The producer never waits (answers are small); the consumer breaking out calls `onReturn`.
 */
import { type Queued, takeQueued } from '../transport/take-queued.ts';

export interface Channel<T> extends AsyncIterable<T>, Queued<T> {
  push(value: T): void;
  close(): void;
  fail(error: unknown): void;
  /** Whether an iterator was already handed out (or the values discarded). */
  readonly taken: boolean;
  /** Takes the channel without reading it: values pushed from now on are dropped, not queued. */
  discard(): void;
  /**
   * For the iterator's consumer: the next value when one is already queued, without a promise
   * (undefined when `next()` would have to wait, and once the iterator returned). The values
   * and their order are those `next()` gives; an end or a failure still comes from `next()`.
   */
  pull(): T | undefined;
}

export function createChannel<T>(onReturn: () => void): Channel<T> {
  const queue: T[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  let taken = false;
  let returned = false;
  let discarding = false;

  const settleWaiter = () => {
    if (!waiting) return;
    const w = waiting;
    if (queue.length > 0) {
      waiting = undefined;
      w.resolve({ value: queue.shift() as T, done: false });
    } else if (failure) {
      waiting = undefined;
      w.reject(failure.error);
    } else if (ended) {
      waiting = undefined;
      w.resolve({ value: undefined, done: true });
    }
  };

  const pull = (): T | undefined => {
    if (returned || waiting || queue.length === 0) return undefined;
    return queue.shift() as T;
  };

  return {
    get taken() {
      return taken;
    },
    push(value) {
      if (ended || returned || discarding) return;
      queue.push(value);
      settleWaiter();
    },
    close() {
      ended = true;
      settleWaiter();
    },
    fail(error) {
      if (ended) return;
      ended = true;
      failure = { error };
      settleWaiter();
    },
    pull,
    [takeQueued]: pull,
    discard() {
      if (taken) throw new TypeError('an engine call can be iterated only once');
      taken = true;
      discarding = true;
      queue.length = 0;
    },
    [Symbol.asyncIterator]() {
      if (taken) throw new TypeError('an engine call can be iterated only once');
      taken = true;
      return {
        next() {
          if (returned) return Promise.resolve({ value: undefined, done: true });
          return new Promise<IteratorResult<T>>((resolve, reject) => {
            waiting = { resolve, reject };
            settleWaiter();
          });
        },
        return() {
          if (!returned && !(ended && queue.length === 0)) {
            returned = true;
            queue.length = 0;
            onReturn();
          }
          returned = true;
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
}

/** Values to iterate whose consumer may take the ones already queued without a promise each. */
export interface Pullable<T> extends AsyncIterable<T>, Queued<T> {}

/**
 * `for await (const value of source) visit(value)`, but the values already queued come from
 * `[takeQueued]()`, without a promise each. `visit` returning false (or a promise of false) stops early;
 * stopping early or `visit` throwing returns the iterator, as leaving a `for await` would.
 * Resolves true when the source ended, false when `visit` stopped it.
 */
export async function forEachQueued<T>(
  source: Pullable<T>,
  visit: (value: T) => boolean | Promise<boolean> | undefined,
): Promise<boolean> {
  const values = source[Symbol.asyncIterator]();
  for (;;) {
    const next = await values.next();
    if (next.done) return true;
    try {
      for (let value: T | undefined = next.value; value !== undefined; value = source[takeQueued]?.()) {
        const go = visit(value);
        if (go === false || (go !== true && go !== undefined && !(await go))) {
          await values.return?.();
          return false;
        }
      }
    } catch (e) {
      await values.return?.();
      throw e;
    }
  }
}
