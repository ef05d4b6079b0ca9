/**
 * Counts over a sliding time window, kept as plain data (an array of buckets) so a breaker's
 * or a budget's state can be serialised to a shared store. The window slides a bucket at a
 * time: a count ages out once its bucket is more than `buckets` buckets old.
 */
export interface WindowBucket<K extends string> {
  /** floor(time / bucketMs): which slice of time this bucket counts. */
  readonly index: number;
  readonly counts: Readonly<Record<K, number>>;
}

export interface WindowShape {
  readonly windowMs: number;
  /** How many buckets the window is cut into; more is smoother. */
  readonly buckets: number;
}

const bucketMs = (shape: WindowShape) => shape.windowMs / shape.buckets;
const currentIndex = (shape: WindowShape, nowMs: number) => Math.floor(nowMs / bucketMs(shape));

/** The buckets still inside the window at `nowMs`. */
export function liveBuckets<K extends string>(
  window: readonly WindowBucket<K>[],
  shape: WindowShape,
  nowMs: number,
): WindowBucket<K>[] {
  const oldest = currentIndex(shape, nowMs) - shape.buckets + 1;
  return window.filter((b) => b.index >= oldest);
}

/** A new window with `key` counted once more at `nowMs`, old buckets dropped. */
export function countInWindow<K extends string>(
  window: readonly WindowBucket<K>[],
  shape: WindowShape,
  nowMs: number,
  key: NoInfer<K>,
  zero: Readonly<Record<K, number>>,
): WindowBucket<K>[] {
  const index = currentIndex(shape, nowMs);
  const live = liveBuckets(window, shape, nowMs);
  const last = live.at(-1);
  if (last && last.index === index) {
    live[live.length - 1] = { index, counts: { ...last.counts, [key]: last.counts[key] + 1 } };
  } else {
    live.push({ index, counts: { ...zero, [key]: 1 } });
  }
  return live;
}

/** The totals of every count inside the window at `nowMs`. */
export function sumWindow<K extends string>(
  window: readonly WindowBucket<K>[],
  shape: WindowShape,
  nowMs: number,
  zero: Readonly<Record<K, number>>,
): Record<K, number> {
  const total: Record<K, number> = { ...zero };
  for (const bucket of liveBuckets(window, shape, nowMs)) {
    for (const key of Object.keys(zero) as K[]) total[key] += bucket.counts[key];
  }
  return total;
}
