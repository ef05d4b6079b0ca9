/**
 * Content blocks both ways, shared by requests and responses. Anthropic blocks are what the
 * canonical model was shaped after, so this is mostly renaming; unknown fields of a block
 * (`cache_control`, `citations`, …) ride in passthrough.
 */
import type { OutlastError } from '../../errors/index.ts';
import type {
  ContentBlock,
  ImageBlock,
  ImageSource,
  JsonObject,
  TextBlock,
  ToolResultBlock,
} from '../canonical/index.ts';
import { attachPassthrough, readPassthrough, unknownFields } from './passthrough.ts';
import {
  imageBlockSchema,
  imageSourceSchema,
  redactedThinkingBlockSchema,
  textBlockSchema,
  thinkingBlockSchema,
  toolResultBlockSchema,
  toolUseBlockSchema,
} from './request-schema.ts';
import { parseWith } from './validate.ts';

/** How a decoding failure is reported: `bad_request` for requests, `invalid_response` for answers. */
export interface BlockContext {
  kind: 'bad_request' | 'invalid_response';
  fail(path: string, reason: string): OutlastError;
}

/** Media types the Messages API takes for base64 images. */
export const IMAGE_MEDIA_TYPES: readonly string[] = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

function parse<T>(schema: Parameters<typeof parseWith>[0], raw: unknown, path: string, ctx: BlockContext): T {
  return parseWith(schema, raw, { path, kind: ctx.kind }) as T;
}

type Raw = Record<string, unknown>;

function decodeText(raw: unknown, path: string, ctx: BlockContext): TextBlock {
  const part = parse<Raw & { text: string }>(textBlockSchema, raw, path, ctx);
  return attachPassthrough<TextBlock>(
    { type: 'text', text: part.text },
    unknownFields(part, ['type', 'text']),
  );
}

function decodeImage(raw: unknown, path: string, ctx: BlockContext): ImageBlock {
  const part = parse<Raw & { source: Raw }>(imageBlockSchema, raw, path, ctx);
  if (part.source.type !== 'base64' && part.source.type !== 'url') {
    throw ctx.fail(
      `${path}.source.type`,
      `image source "${String(part.source.type)}" is not supported by outlast`,
    );
  }
  const src = parse<Raw>(imageSourceSchema, part.source, `${path}.source`, ctx);
  const source: ImageSource =
    src.type === 'base64'
      ? { type: 'base64', mediaType: src.media_type as string, data: src.data as string }
      : { type: 'url', url: src.url as string };
  const sourceExtra = unknownFields(src, ['type', 'media_type', 'data', 'url']);
  return attachPassthrough<ImageBlock>(
    { type: 'image', source },
    unknownFields(part, ['type', 'source']),
    Object.keys(sourceExtra).length > 0 ? { source: sourceExtra } : {},
  );
}

function decodeToolResult(raw: unknown, path: string, ctx: BlockContext): ToolResultBlock {
  const part = parse<Raw & { tool_use_id: string; content?: string | Raw[]; is_error?: boolean }>(
    toolResultBlockSchema,
    raw,
    path,
    ctx,
  );
  const meta: JsonObject = {};
  let content: Array<TextBlock | ImageBlock> = [];
  if (typeof part.content === 'string') {
    content = [{ type: 'text', text: part.content }];
    meta.content = 'string';
  } else if (Array.isArray(part.content)) {
    if (part.content.length === 0) meta.content = 'array';
    content = part.content.map((inner, k) => {
      const innerPath = `${path}.content.${k}`;
      if (inner.type === 'text') return decodeText(inner, innerPath, ctx);
      if (inner.type === 'image') return decodeImage(inner, innerPath, ctx);
      throw ctx.fail(
        `${innerPath}.type`,
        `tool result block "${String(inner.type)}" is not supported by outlast`,
      );
    });
  }
  const block: ToolResultBlock = { type: 'tool_result', toolUseId: part.tool_use_id, content };
  if (part.is_error !== undefined) {
    block.isError = part.is_error;
    // `is_error: false` written out is kept as written.
    if (!part.is_error) meta.isErrorFalse = true;
  }
  return attachPassthrough(block, unknownFields(part, ['type', 'tool_use_id', 'content', 'is_error']), meta);
}

/** One Anthropic content block → canonical; unsupported types throw through `ctx`. */
export function decodeBlock(raw: Raw, path: string, ctx: BlockContext): ContentBlock {
  switch (raw.type) {
    case 'text':
      return decodeText(raw, path, ctx);
    case 'image':
      return decodeImage(raw, path, ctx);
    case 'tool_use': {
      const part = parse<Raw & { id: string; name: string; input: JsonObject }>(
        toolUseBlockSchema,
        raw,
        path,
        ctx,
      );
      return attachPassthrough<ContentBlock>(
        { type: 'tool_use', id: part.id, name: part.name, input: part.input },
        unknownFields(part, ['type', 'id', 'name', 'input']),
      );
    }
    case 'tool_result':
      return decodeToolResult(raw, path, ctx);
    case 'thinking': {
      const part = parse<Raw & { thinking: string; signature?: string }>(thinkingBlockSchema, raw, path, ctx);
      const block: ContentBlock = { type: 'thinking', thinking: part.thinking };
      if (part.signature !== undefined) block.signature = part.signature;
      return attachPassthrough(block, unknownFields(part, ['type', 'thinking', 'signature']));
    }
    case 'redacted_thinking': {
      const part = parse<Raw & { data: string }>(redactedThinkingBlockSchema, raw, path, ctx);
      return attachPassthrough<ContentBlock>(
        { type: 'redacted_thinking', data: part.data },
        unknownFields(part, ['type', 'data']),
      );
    }
    default:
      // In a request, a block outlast does not model (a document, a search result, a server
      // tool's call or result) goes to an Anthropic target as it came, and nowhere else.
      if (ctx.kind === 'bad_request' && typeof raw.type === 'string' && raw.type !== '')
        return { type: 'raw', format: 'anthropic', block: raw as JsonObject };
      throw ctx.fail(`${path}.type`, `content block "${String(raw.type)}" is not supported by outlast`);
  }
}

function encodeImageSource(
  source: ImageSource,
  path: string,
  ctx: BlockContext,
  extra: JsonObject,
): JsonObject {
  if (source.type === 'url') return { type: 'url', url: source.url, ...extra };
  if (!IMAGE_MEDIA_TYPES.includes(source.mediaType)) {
    throw ctx.fail(
      `${path}.source.media_type`,
      `"${source.mediaType}" is not an image type Anthropic accepts`,
    );
  }
  return { type: 'base64', media_type: source.mediaType, data: source.data, ...extra };
}

function encodeResultContent(block: ToolResultBlock, path: string, ctx: BlockContext, meta: JsonObject) {
  const only = block.content[0];
  if (meta.content === 'string' && block.content.length === 1 && only?.type === 'text' && !only.passthrough) {
    return only.text;
  }
  if (block.content.length === 0 && meta.content !== 'array') return undefined;
  return block.content.map((inner, k) => encodeBlock(inner, `${path}.content.${k}`, ctx));
}

/**
 * One canonical block → Anthropic. Passthrough fields are spread back only when they came
 * from Anthropic.
 */
export function encodeBlock(block: ContentBlock, path: string, ctx: BlockContext): JsonObject {
  const { fields, meta } = readPassthrough(block.passthrough);
  switch (block.type) {
    case 'raw':
      if (block.format === 'anthropic') return block.block;
      throw ctx.fail(
        `${path}.type`,
        `a ${block.format} "${String(block.block.type)}" block has no Anthropic form`,
      );
    case 'text':
      return { type: 'text', text: block.text, ...fields };
    case 'image': {
      const sourceExtra = (meta.source ?? {}) as JsonObject;
      return { type: 'image', source: encodeImageSource(block.source, path, ctx, sourceExtra), ...fields };
    }
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input, ...fields };
    case 'tool_result': {
      const out: JsonObject = { type: 'tool_result', tool_use_id: block.toolUseId };
      const content = encodeResultContent(block, path, ctx, meta);
      if (content !== undefined) out.content = content;
      if (block.isError || meta.isErrorFalse === true) out.is_error = block.isError ?? false;
      return { ...out, ...fields };
    }
    case 'thinking':
      return { type: 'thinking', thinking: block.thinking, signature: block.signature ?? '', ...fields };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: block.data, ...fields };
  }
}
