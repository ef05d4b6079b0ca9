/**
 * The AI SDK's prompt (spec v4, or v3 for AI SDK 6) → canonical system blocks and messages.
 * The two versions differ only in how file data is written (v3: bytes, base64 or a URL;
 * v4: a tagged union), so one converter reads both. What the canonical model cannot carry
 * (documents, provider references, provider-executed tool results) is refused by name
 * rather than dropped: an answer to half a prompt is worse than an error.
 */
import type { LanguageModelV3Prompt, LanguageModelV4Prompt } from '@ai-sdk/provider';
import { UnsupportedFunctionalityError } from '@ai-sdk/provider';
import type {
  ContentBlock,
  ImageBlock,
  ImageSource,
  JsonObject,
  Message,
  TextBlock,
  ToolResultBlock,
} from '../../wire/canonical/index.ts';

export type SpecPrompt = LanguageModelV4Prompt | LanguageModelV3Prompt;

type ProviderOptions = Record<string, Record<string, unknown>> | undefined;

/** What outlast puts in `providerMetadata.outlast` of a reasoning part, read back from `providerOptions.outlast`. */
function outlastOptions(options: ProviderOptions): Record<string, unknown> {
  const own = options?.outlast;
  return typeof own === 'object' && own !== null ? own : {};
}

function unsupported(functionality: string): UnsupportedFunctionalityError {
  return new UnsupportedFunctionalityError({
    functionality,
    message: `outlast/ai-sdk: ${functionality} has no form in outlast's canonical model`,
  });
}

function toBase64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

/** A full image media type for bytes sent with only `image` (v4 allows the top-level segment alone). */
function sniffImageType(base64: string): string | undefined {
  const head = Buffer.from(base64.slice(0, 24), 'base64');
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return 'image/png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'image/webp';
  return undefined;
}

function isImageType(mediaType: string): boolean {
  return mediaType === 'image' || mediaType.startsWith('image/');
}

/** File data in either version's shape → where the image comes from. */
function imageSource(data: unknown, mediaType: string): ImageSource {
  let bytes: string | undefined;
  if (data instanceof URL) return { type: 'url', url: data.toString() };
  if (data instanceof Uint8Array) bytes = toBase64(data);
  else if (typeof data === 'string') {
    if (/^(https?|data):/i.test(data)) return dataUrlOrUrl(data);
    bytes = data;
  } else if (typeof data === 'object' && data !== null && 'type' in data) {
    const tagged = data as { type: string; data?: unknown; url?: unknown };
    if (tagged.type === 'url' && tagged.url instanceof URL) return dataUrlOrUrl(tagged.url.toString());
    if (tagged.type === 'data') return imageSource(tagged.data, mediaType);
    throw unsupported(
      `file data of type "${tagged.type}" (a provider reference or inline text) for an image`,
    );
  }
  if (bytes === undefined) throw unsupported('an image without data');
  const type = mediaType.includes('/') && !mediaType.endsWith('/*') ? mediaType : sniffImageType(bytes);
  if (!type) throw unsupported(`an image whose media type "${mediaType}" cannot be told from its bytes`);
  return { type: 'base64', mediaType: type, data: bytes };
}

function dataUrlOrUrl(url: string): ImageSource {
  const match = /^data:([^;,]+);base64,(.*)$/is.exec(url);
  if (match) return { type: 'base64', mediaType: match[1]!, data: match[2]! };
  return { type: 'url', url };
}

/** A file part: an image, or text given inline; anything else (PDF, audio) is refused. */
function filePart(part: { data: unknown; mediaType: string }): ImageBlock | TextBlock {
  const data = part.data as { type?: unknown; text?: unknown };
  if (typeof data === 'object' && data !== null && data.type === 'text' && typeof data.text === 'string')
    return { type: 'text', text: data.text };
  if (!isImageType(part.mediaType)) throw unsupported(`a file of media type "${part.mediaType}"`);
  return { type: 'image', source: imageSource(part.data, part.mediaType) };
}

function parseToolInput(input: unknown, toolName: string): JsonObject {
  const value = typeof input === 'string' ? safeParse(input) : input;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as JsonObject;
  throw unsupported(`a tool call to "${toolName}" whose input is not a JSON object`);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type ToolOutput = { type: string; value?: unknown; reason?: unknown };

/** A tool result's output (any of the spec's forms) → the blocks of a canonical tool_result. */
function toolResultContent(output: ToolOutput): { content: Array<TextBlock | ImageBlock>; isError: boolean } {
  switch (output.type) {
    case 'text':
      return { content: [{ type: 'text', text: String(output.value) }], isError: false };
    case 'json':
      return { content: [{ type: 'text', text: JSON.stringify(output.value) }], isError: false };
    case 'error-text':
      return { content: [{ type: 'text', text: String(output.value) }], isError: true };
    case 'error-json':
      return { content: [{ type: 'text', text: JSON.stringify(output.value) }], isError: true };
    case 'execution-denied':
      return {
        content: [
          {
            type: 'text',
            text: typeof output.reason === 'string' ? output.reason : 'Tool execution denied.',
          },
        ],
        isError: true,
      };
    case 'content': {
      const items = Array.isArray(output.value) ? (output.value as Array<Record<string, unknown>>) : [];
      return { content: items.map(toolResultItem), isError: false };
    }
    default:
      throw unsupported(`a tool result of type "${output.type}"`);
  }
}

function toolResultItem(item: Record<string, unknown>): TextBlock | ImageBlock {
  const mediaType = typeof item.mediaType === 'string' ? item.mediaType : '';
  switch (item.type) {
    case 'text':
      return { type: 'text', text: String(item.text) };
    case 'file': // v4
      return filePart({ data: item.data, mediaType });
    case 'image-data': // v3
    case 'media':
      return { type: 'image', source: imageSource(item.data, mediaType || 'image') };
    case 'file-data':
      if (isImageType(mediaType)) return { type: 'image', source: imageSource(item.data, mediaType) };
      throw unsupported(`a tool result file of media type "${mediaType}"`);
    case 'image-url':
      return { type: 'image', source: { type: 'url', url: String(item.url) } };
    default:
      throw unsupported(`a tool result part of type "${String(item.type)}"`);
  }
}

export interface ConvertedPrompt {
  system: TextBlock[];
  messages: Message[];
}

export function convertPrompt(prompt: SpecPrompt): ConvertedPrompt {
  const system: TextBlock[] = [];
  const messages: Message[] = [];
  // Consecutive turns of one role become one message (tool results then a user turn, say):
  // Anthropic wants turns to alternate and every format accepts the merged form.
  const push = (role: Message['role'], content: ContentBlock[]) => {
    if (content.length === 0) return;
    const last = messages[messages.length - 1];
    if (last?.role === role) last.content.push(...content);
    else messages.push({ role, content });
  };

  for (const message of prompt) {
    switch (message.role) {
      case 'system':
        system.push({ type: 'text', text: message.content });
        break;
      case 'user': {
        const content: ContentBlock[] = [];
        for (const part of message.content) {
          if (part.type === 'text') content.push({ type: 'text', text: part.text });
          else content.push(filePart(part));
        }
        push('user', content);
        break;
      }
      case 'assistant': {
        const content: ContentBlock[] = [];
        for (const part of message.content) {
          switch (part.type) {
            case 'text':
              if (part.text !== '') content.push({ type: 'text', text: part.text });
              break;
            case 'reasoning': {
              const own = outlastOptions(part.providerOptions as ProviderOptions);
              if (typeof own.redactedData === 'string') {
                content.push({ type: 'redacted_thinking', data: own.redactedData });
              } else {
                content.push({
                  type: 'thinking',
                  thinking: part.text,
                  ...(typeof own.signature === 'string' ? { signature: own.signature } : {}),
                });
              }
              break;
            }
            case 'tool-call':
              content.push({
                type: 'tool_use',
                id: part.toolCallId,
                name: part.toolName,
                input: parseToolInput(part.input, part.toolName),
              });
              break;
            case 'file':
              content.push(filePart(part));
              break;
            default:
              // tool-result (provider-executed tools), custom and reasoning-file parts.
              throw unsupported(`an assistant ${part.type} part`);
          }
        }
        push('assistant', content);
        break;
      }
      case 'tool': {
        const content: ToolResultBlock[] = [];
        for (const part of message.content) {
          // Approval responses answer provider-executed tools, which outlast never offers.
          if (part.type !== 'tool-result') continue;
          const { content: blocks, isError } = toolResultContent(part.output as ToolOutput);
          content.push({
            type: 'tool_result',
            toolUseId: part.toolCallId,
            name: part.toolName,
            content: blocks,
            ...(isError ? { isError } : {}),
          });
        }
        push('user', content);
        break;
      }
    }
  }
  return { system, messages };
}
