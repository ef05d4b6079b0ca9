import type { StreamPart } from './types.ts';

/** Whether a part carries content: the commit point and the first-token clock key on it. Pings and empty deltas never do. */
export function isContentPart(part: StreamPart): boolean {
  if (part.type === 'block_start')
    return part.block.type === 'tool_use' || part.block.type === 'redacted_thinking';
  if (part.type !== 'block_delta') return part.type === 'verbatim' && part.live === true;
  const d = part.delta;
  switch (d.type) {
    case 'text':
      return d.text.length > 0;
    case 'tool_input':
      return d.partialJson.length > 0;
    case 'thinking':
      return d.thinking.length > 0;
    case 'signature':
      return false;
  }
}
