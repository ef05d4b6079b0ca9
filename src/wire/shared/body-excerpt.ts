/** A short, single-line excerpt of an error body that was not JSON (an HTML page from a proxy). */
export function bodyExcerpt(text: string): string {
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
}
