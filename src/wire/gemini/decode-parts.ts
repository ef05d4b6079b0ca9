/**
 * Gemini parts → canonical content blocks, shared by the request and response decoders.
 *
 * Thought signatures: Gemini puts `thoughtSignature` on the part that follows the thoughts
 * (often a functionCall or the last text part). The canonical model keeps a signature on a
 * thinking block, so a signature on any other part goes to the thinking block before it, or
 * to an empty thinking block made for it. The encoders put it back on the next part.
 */
import type { ContentBlock, ImageBlock, JsonObject, TextBlock, ToolResultBlock } from '../canonical/index.ts';
import { badRequest } from './errors.ts';
import { keep, nest, unknownOf } from './passthrough.ts';
import type { GeminiPart } from './schemas.ts';

const PART_KEYS = [
  'text',
  'thought',
  'thoughtSignature',
  'inlineData',
  'fileData',
  'functionCall',
  'functionResponse',
] as const;

export interface DecodePartsOptions {
  /** Field path of the parts array, for error messages: `contents.2.parts`. */
  path: string;
  /** The canonical id of a function call (its own `id` when set). */
  callIdOf(call: { id?: string; name: string }, partIndex: number): string;
  /** The canonical id of the call a function response answers. */
  answeredIdOf(response: { id?: string; name: string }, partIndex: number): string;
}

const IMAGE_EXTENSIONS: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
};

/** The image MIME type a URL's extension suggests, if any. */
export function imageTypeOfUrl(url: string): string | undefined {
  const ext = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase();
  return ext ? IMAGE_EXTENSIONS[ext] : undefined;
}

function imageFromInline(data: { mimeType: string; data: string }, path: string): ImageBlock {
  if (!data.mimeType.startsWith('image/'))
    throw badRequest(`${path}.mimeType`, `only image data can be translated, got ${data.mimeType}`);
  return { type: 'image', source: { type: 'base64', mediaType: data.mimeType, data: data.data } };
}

function imageFromFile(file: { mimeType?: string; fileUri: string }, path: string): ImageBlock {
  const type = file.mimeType ?? imageTypeOfUrl(file.fileUri);
  if (!type?.startsWith('image/'))
    throw badRequest(
      `${path}.mimeType`,
      `only image files can be translated, got ${type ?? 'an unknown type'}`,
    );
  return { type: 'image', source: { type: 'url', url: file.fileUri } };
}

/**
 * A function's `response` object → tool result content. `{output}` and `{error}` strings are
 * the documented convention; any other object travels as its JSON text.
 */
function resultContent(response: JsonObject | undefined): { content: TextBlock[]; isError?: boolean } {
  if (!response || Object.keys(response).length === 0) return { content: [] };
  const keys = Object.keys(response);
  if (keys.length === 1 && typeof response['output'] === 'string')
    return { content: [{ type: 'text', text: response['output'] }] };
  if (keys.length === 1 && typeof response['error'] === 'string')
    return { content: [{ type: 'text', text: response['error'] }], isError: true };
  return { content: [{ type: 'text', text: JSON.stringify(response) }] };
}

/** Puts a signature on the open thinking block, or on a new empty one. */
function attachSignature(blocks: ContentBlock[], signature: string): void {
  const last = blocks.at(-1);
  if (last?.type === 'thinking' && last.signature === undefined) {
    last.signature = signature;
    return;
  }
  blocks.push({ type: 'thinking', thinking: '', signature, ...keep({}, true) });
}

export function decodeParts(parts: readonly GeminiPart[], options: DecodePartsOptions): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  parts.forEach((part, i) => {
    const at = `${options.path}.${i}`;
    let fields = unknownOf(part, PART_KEYS);
    if (part.thought === true) {
      blocks.push({
        type: 'thinking',
        thinking: part.text ?? '',
        ...(part.thoughtSignature === undefined ? {} : { signature: part.thoughtSignature }),
        // Always marked: only Gemini may receive a Gemini signature back.
        ...keep(fields, true),
      });
      return;
    }
    if (part.thoughtSignature !== undefined) attachSignature(blocks, part.thoughtSignature);
    if (part.functionCall) {
      const { id, name, args } = part.functionCall;
      const fcFields = { ...unknownOf(part.functionCall, ['id', 'name', 'args']), ...(id ? { id } : {}) };
      if (Object.keys(fcFields).length > 0) fields = nest(fields, 'functionCall', fcFields);
      blocks.push({
        type: 'tool_use',
        id: options.callIdOf({ id, name }, i),
        name,
        input: args ?? {},
        ...keep(fields),
      });
    } else if (part.functionResponse) {
      const fr = part.functionResponse;
      const { content, isError } = resultContent(fr.response);
      const images = (fr.parts ?? []).map((p, k) => {
        const where = `${at}.functionResponse.parts.${k}`;
        if (p.inlineData) return imageFromInline(p.inlineData, `${where}.inlineData`);
        if (p.fileData) return imageFromFile(p.fileData, `${where}.fileData`);
        throw badRequest(where, 'expected inlineData or fileData');
      });
      const frFields = {
        ...unknownOf(fr, ['id', 'name', 'response', 'parts']),
        ...(fr.id ? { id: fr.id } : {}),
      };
      if (Object.keys(frFields).length > 0) fields = nest(fields, 'functionResponse', frFields);
      const block: ToolResultBlock = {
        type: 'tool_result',
        toolUseId: options.answeredIdOf({ id: fr.id, name: fr.name }, i),
        name: fr.name,
        content: [...content, ...images],
        ...(isError ? { isError } : {}),
        ...keep(fields),
      };
      blocks.push(block);
    } else if (part.inlineData) {
      const extra = unknownOf(part.inlineData, ['mimeType', 'data']);
      blocks.push({
        ...imageFromInline(part.inlineData, `${at}.inlineData`),
        ...keep(nest(fields, 'inlineData', extra)),
      });
    } else if (part.fileData) {
      // The MIME type is optional in Gemini and absent from the canonical URL image: keep it.
      const extra = unknownOf(part.fileData, ['fileUri']);
      blocks.push({
        ...imageFromFile(part.fileData, `${at}.fileData`),
        ...keep(nest(fields, 'fileData', extra)),
      });
    } else if (part.text !== undefined) {
      blocks.push({ type: 'text', text: part.text, ...keep(fields) });
    } else if (part.thoughtSignature === undefined) {
      const what = Object.keys(part).join(', ') || 'nothing';
      throw badRequest(at, `a part Gemini-only or empty (${what}) cannot be translated`);
    }
  });
  return blocks;
}
