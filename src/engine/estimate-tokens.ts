import type { CanonicalRequest, ContentBlock } from '../wire/canonical/index.ts';

// About four characters of English or code per token; images at a flat rate. Good enough to
// tell a 300k-token prompt from a 200k window, which is all it is used for.
export const CHARS_PER_TOKEN = 4;
const IMAGE_TOKENS = 1600;

function blockChars(block: ContentBlock): number {
  switch (block.type) {
    case 'text':
      return block.text.length;
    case 'image':
      return IMAGE_TOKENS * CHARS_PER_TOKEN;
    case 'tool_use':
      return block.name.length + JSON.stringify(block.input).length;
    case 'tool_result':
      return block.content.reduce((n, b) => n + blockChars(b), 0);
    case 'thinking':
      return block.thinking.length;
    case 'redacted_thinking':
      return block.data.length;
    case 'raw':
      return JSON.stringify(block.block).length;
  }
}

/** Counted once per request: the timeout profile and the call's context check both ask (issue 20's "walked twice"). */
const counted = new WeakMap<CanonicalRequest, number>();

/** A rough count of the prompt's tokens (characters / 4), for context-window checks and profiles. */
export function estimatePromptTokens(request: CanonicalRequest): number {
  const known = counted.get(request);
  if (known !== undefined) return known;
  const tokens = countPromptTokens(request);
  counted.set(request, tokens);
  return tokens;
}

function countPromptTokens(request: CanonicalRequest): number {
  let chars = 0;
  for (const block of request.system ?? []) chars += block.text.length;
  for (const message of request.messages) for (const block of message.content) chars += blockChars(block);
  for (const tool of request.tools ?? [])
    chars += tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.inputSchema).length;
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/** Tokens in a piece of generated text, by the same rule. */
export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}
