/** Small scans over text that the continuation aligner reads heads and answers with. */

export const WORD_CHAR = /[\p{L}\p{N}]/u;

export function isWordStart(text: string, i: number): boolean {
  return i === 0 || /\s/.test(text[i - 1] ?? '');
}

export function endsWord(text: string, i: number): boolean {
  return i >= text.length || !WORD_CHAR.test(text[i] ?? '') || !WORD_CHAR.test(text[i - 1] ?? '');
}

export function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  return i;
}

export function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

export function words(text: string): number {
  return text.split(/\s+/).filter((w) => w !== '').length;
}

export function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return `"${flat.length > 60 ? `${flat.slice(0, 57)}...` : flat}"`;
}
