/**
 * Deterministic 32-bit hashing for seeds and draws. A draw keyed by (seed, model, attempt,
 * rule) does not depend on how requests to different models interleave, so the same seed
 * gives the same faults even under concurrency.
 */

/** FNV-1a over the text, then a murmur3 finaliser so nearby inputs spread out. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A number in [0, 1) fixed by the parts. */
export function hashUnit(...parts: ReadonlyArray<string | number>): number {
  return hash32(parts.join('\u0000')) / 4_294_967_296;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` base62 characters fixed by the parts: ids that look real and repeat under a seed. */
export function hashId(length: number, ...parts: ReadonlyArray<string | number>): string {
  let out = '';
  let block = 0;
  while (out.length < length) {
    let h = hash32(`${parts.join('\u0000')}\u0000${block++}`);
    for (let i = 0; i < 5 && out.length < length; i++) {
      out += BASE62[h % 62];
      h = Math.floor(h / 62);
    }
  }
  return out;
}
