/** One SSE frame: `event: <name>` when named, then `data: <payload>`, then a blank line. */
export function formatSse(data: string, event?: string): string {
  // A payload with newlines must be split over several data lines to survive the framing
  // (JSON from JSON.stringify has none: the common case skips the split).
  if (!data.includes('\n'))
    return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
  const lines = data
    .split('\n')
    .map((line) => `data: ${line}\n`)
    .join('');
  return event === undefined ? `${lines}\n` : `event: ${event}\n${lines}\n`;
}

/** An SSE comment: clients ignore it, proxies see traffic. */
export function formatSseComment(text = ''): string {
  return `: ${text}\n\n`;
}
