/**
 * Canonical content blocks → Gemini parts, shared by the request and response encoders.
 * A thinking block's signature goes onto the next non-thought part (where Gemini puts it),
 * or onto the thought part itself when nothing follows.
 */
import type { ContentBlock, ImageSource, JsonObject } from '../canonical/index.ts';
import { imageTypeOfUrl } from './decode-parts.ts';
import { badRequest } from './errors.ts';
import { mergeKept, ownFields } from './passthrough.ts';
import type { GeminiPart } from './schemas.ts';

export interface EncodePartsOptions {
  /** Field path of the blocks, for error messages: `messages.3.content`. */
  path: string;
  /** The function name of an earlier tool_use with this id (Gemini answers by name). */
  nameOfCall(toolUseId: string): string | undefined;
  /**
   * Whether a signature may be sent without proof it is Gemini's: true for responses (the
   * client just echoes it), false for requests, where a foreign signature makes Gemini answer 400.
   */
  trustSignatures: boolean;
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function imagePart(source: ImageSource): GeminiPart {
  if (source.type === 'base64') return { inlineData: { mimeType: source.mediaType, data: source.data } };
  const inline = DATA_URL.exec(source.url);
  if (inline) return { inlineData: { mimeType: inline[1]!, data: inline[2]! } };
  const mimeType = imageTypeOfUrl(source.url);
  return { fileData: { ...(mimeType ? { mimeType } : {}), fileUri: source.url } };
}

/** Tool result text → the `response` object: a JSON object travels as itself, other text as `{output}`/`{error}`. */
function responseObject(text: string, isError: boolean | undefined): JsonObject {
  if (text === '') return {};
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        return parsed as JsonObject;
    } catch {
      // Not JSON after all: send it as text.
    }
  }
  return isError ? { error: text } : { output: text };
}

export function encodeParts(blocks: readonly ContentBlock[], options: EncodePartsOptions): GeminiPart[] {
  const parts: GeminiPart[] = [];
  let pendingSignature: string | undefined;
  let lastThought: GeminiPart | undefined;
  const push = (part: GeminiPart): void => {
    if (pendingSignature !== undefined) part.thoughtSignature = pendingSignature;
    pendingSignature = undefined;
    parts.push(part);
  };
  blocks.forEach((block, j) => {
    const at = `${options.path}.${j}`;
    const kept = ownFields(block.passthrough);
    switch (block.type) {
      case 'thinking': {
        const trusted = options.trustSignatures || block.passthrough?.format === 'gemini';
        if (block.thinking !== '') {
          lastThought = mergeKept({ text: block.thinking, thought: true }, kept);
          parts.push(lastThought);
        }
        if (block.signature !== undefined && trusted) {
          if (block.thinking === '' && pendingSignature !== undefined) push({ text: '', thought: true });
          pendingSignature = block.signature;
        }
        return;
      }
      case 'redacted_thinking':
        // Another provider's encrypted reasoning: Gemini cannot read it and the model loses nothing.
        return;
      case 'text':
        push(mergeKept({ text: block.text }, kept));
        return;
      case 'raw':
        throw badRequest(
          `${at}.type`,
          `a ${block.format} "${String(block.block.type)}" block has no Gemini form`,
        );
      case 'image':
        push(mergeKept(imagePart(block.source), kept));
        return;
      case 'tool_use':
        push(mergeKept({ functionCall: { name: block.name, args: block.input } }, kept));
        return;
      case 'tool_result': {
        const name = block.name ?? options.nameOfCall(block.toolUseId);
        if (name === undefined)
          throw badRequest(
            `${at}.toolUseId`,
            `Gemini answers a function by name, and no earlier tool_use has id ${block.toolUseId}`,
          );
        const text = block.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
        const media = block.content.flatMap((b) => (b.type === 'image' ? [imagePart(b.source)] : []));
        const functionResponse = {
          name,
          response: responseObject(text, block.isError),
          ...(media.length > 0 ? { parts: media } : {}),
        };
        push(mergeKept({ functionResponse } as GeminiPart, kept));
        return;
      }
    }
  });
  if (pendingSignature !== undefined) {
    if (lastThought && parts.at(-1) === lastThought) lastThought.thoughtSignature = pendingSignature;
    else parts.push({ text: '', thought: true, thoughtSignature: pendingSignature });
  }
  return parts;
}
