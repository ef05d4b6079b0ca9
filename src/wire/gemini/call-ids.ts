/**
 * Gemini function calls carry no id (the optional `id` is rarely set), while the other
 * formats link results to calls by id. These ids are synthesised deterministically so the
 * same input always decodes to the same ids, and match `^[a-zA-Z0-9_-]+$` as Anthropic requires.
 */

/** FNV-1a, 32 bits, in base 36: short and stable, not a security hash. */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/** The id of a call in a request's history: its turn and part position make it unique there. */
export function historyCallId(turn: number, part: number): string {
  return `call_g${turn}_${part}`;
}

/** The id of a call in a response: seeded by the response id (or its content) and the call's ordinal. */
export function responseCallId(seed: string, ordinal: number): string {
  return `call_${shortHash(seed)}_${ordinal}`;
}
