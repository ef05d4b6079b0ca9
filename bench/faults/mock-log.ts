/** Reading the mock's `/_mock/log` entries: attempts that reached a model, and tokens it sent. */

interface EntryLike {
  model?: unknown;
  path?: unknown;
  tokensSent?: unknown;
  tokens?: unknown;
}

function isAttempt(entry: EntryLike): boolean {
  return typeof entry.model === 'string' && entry.model !== '';
}

export function countAttempts(log: readonly unknown[]): number {
  return log.filter((e) => isAttempt(e as EntryLike)).length;
}

export function tokensSent(log: readonly unknown[]): number {
  let total = 0;
  for (const raw of log) {
    const e = raw as EntryLike;
    if (!isAttempt(e)) continue;
    const t = typeof e.tokensSent === 'number' ? e.tokensSent : typeof e.tokens === 'number' ? e.tokens : 0;
    total += t;
  }
  return total;
}
