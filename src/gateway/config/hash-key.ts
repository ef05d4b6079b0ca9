/** Gateway keys are stored as `sha256:<hex>` and compared hashed, in constant time. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function hashKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** A fresh random key, `olk_` plus 32 bytes in base64url. */
export function generateKey(): string {
  return `olk_${randomBytes(32).toString('base64url')}`;
}

/** A checker over the configured hashes; hashing first makes every comparison the same length. */
export function createKeyCheck(hashes: readonly string[]): (presented: string) => boolean {
  const digests = hashes.map((h) => Buffer.from(h.slice('sha256:'.length), 'hex'));
  return (presented) => {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let ok = false;
    // Every configured key is compared, so timing does not tell which (or whether one) matched.
    for (const candidate of digests) if (timingSafeEqual(candidate, digest)) ok = true;
    return ok;
  };
}

export interface KeyEntry {
  readonly hash: string;
  readonly name?: string;
}

/**
 * Which configured key was presented: its name, or `sha256:` and the first 8 hex digits of its
 * hash when it has none (a bounded label for metrics and logs that never reveals the key).
 */
export function createKeyLookup(entries: readonly KeyEntry[]): (presented: string) => string | undefined {
  const digests = entries.map((e) => ({
    digest: Buffer.from(e.hash.slice('sha256:'.length), 'hex'),
    name: e.name ?? e.hash.slice(0, 'sha256:'.length + 8),
  }));
  return (presented) => {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: string | undefined;
    for (const candidate of digests) if (timingSafeEqual(candidate.digest, digest)) found ??= candidate.name;
    return found;
  };
}
