import type { BlockDelta } from './types.ts';

/** Characters of content a delta carries (text, thinking, tool arguments; a signature none): what rates and usage estimates count. */
export function deltaChars(delta: BlockDelta): number {
  switch (delta.type) {
    case 'text':
      return delta.text.length;
    case 'thinking':
      return delta.thinking.length;
    case 'tool_input':
      return delta.partialJson.length;
    default:
      return 0;
  }
}
