/**
 * The request that continues an answer cut off after its commit point: the partial answer as
 * an assistant prefill where the target takes one, otherwise the partial answer followed by a
 * user turn asking to go on, beginning with the answer's last words repeated verbatim (the
 * anchor, quoted in the prompt) so that the stitcher can see where the continuation joins.
 */
import type { OutlastError } from '../../errors/index.ts';
import type { CanonicalRequest, ContentBlock, Message } from '../../wire/canonical/index.ts';
import { chooseAnchor } from './align-continuation.ts';
import type { PieceOptions } from './stitcher.ts';

/** The continue turn's text for an answer ending in `anchor`. */
export function continuePrompt(anchor: string): string {
  return (
    'Your previous answer was cut off. Continue it exactly where it stopped. Begin your reply by ' +
    `repeating, verbatim, the last words of your answer: "${anchor}", then write the rest of the ` +
    'answer. No preamble, no comment, nothing else.'
  );
}

export interface Continuation {
  readonly request: CanonicalRequest;
  /** How the stitcher aligns the continuation: `beginPiece(piece)`. */
  readonly piece: PieceOptions;
}

/** Providers reject an assistant turn ending in whitespace; the trimmed part is dropped if the model repeats it. */
function trimTail(blocks: ContentBlock[]): { blocks: ContentBlock[]; trimmed: string } {
  const last = blocks[blocks.length - 1];
  if (last?.type !== 'text') return { blocks, trimmed: '' };
  const kept = last.text.trimEnd();
  const trimmed = last.text.slice(kept.length);
  const head = blocks.slice(0, -1);
  return { blocks: kept.length > 0 ? [...head, { type: 'text', text: kept }] : head, trimmed };
}

export function buildContinuation(
  original: CanonicalRequest,
  partial: ContentBlock[],
  options: { prefill: boolean },
): Continuation {
  const { blocks, trimmed } = trimTail(partial);
  const messages: Message[] = [...original.messages];
  const last = messages[messages.length - 1];
  // The caller's own prefill, if any, already opened the assistant turn: the partial answer extends it.
  if (last?.role === 'assistant') {
    messages[messages.length - 1] = { ...last, content: [...last.content, ...blocks] };
  } else {
    messages.push({ role: 'assistant', content: blocks });
  }
  const lastBlock = partial[partial.length - 1];
  const anchor = chooseAnchor(lastBlock?.type === 'text' ? lastBlock.text : '');
  if (!options.prefill)
    messages.push({ role: 'user', content: [{ type: 'text', text: continuePrompt(anchor) }] });
  // The call's whole max_tokens, not what is left of it: a model that restarts its answer (or
  // repeats its tail) spends tokens on text the stitcher drops, and must still reach the end.
  const maxTokens = original.maxTokens;
  // Extended thinking cannot follow a prefilled assistant turn; the rest of the answer needs none.
  const { thinking: _thinking, ...rest } = original;
  return {
    request: {
      ...rest,
      messages,
      ...(maxTokens === undefined ? {} : { maxTokens }),
    },
    piece: options.prefill ? { kind: 'prefill', trimmed } : { kind: 'continue', anchor },
  };
}

const PREFILL_TEXT =
  /prefill|final assistant content|last message.*assistant|assistant message.*(last|final)/i;

/**
 * Whether an error is a target refusing the prefill. The Anthropic codec's own check is used
 * when given; this text match covers OpenAI-compatible servers that say the same in a 400.
 */
export function looksLikePrefillRejection(
  error: OutlastError,
  codecCheck?: (error: OutlastError) => boolean,
): boolean {
  if (codecCheck?.(error)) return true;
  if (error.kind !== 'bad_request') return false;
  return PREFILL_TEXT.test(`${error.providerMessage ?? ''} ${error.message}`);
}
