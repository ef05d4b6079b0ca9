/**
 * Performance plumbing between outlast's own layers, kept out of the public types: a stream
 * offers the values it already holds under this key, so a reader takes the parts of one
 * network read without a promise each (the engine's and the gateway's `forEachQueued`). The
 * symbol is not exported from any entry point; the public interfaces do not declare it.
 */
export const takeQueued: unique symbol = Symbol('outlast.takeQueued');

/** A source whose already-queued values can be taken at once: `[takeQueued]()` gives the next one, or undefined when the reader would have to wait. */
export interface Queued<T> {
  [takeQueued]?(): T | undefined;
}
