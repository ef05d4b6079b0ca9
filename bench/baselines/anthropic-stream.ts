/**
 * One streamed Messages call through the official Anthropic SDK, collected the way an app
 * would: text deltas appended until the SDK's iterator ends. The SDK decides what counts as an
 * error; a stream that ends early without one comes back as a (short) answer, which the
 * faults suite then scores as incomplete.
 */
import type Anthropic from '@anthropic-ai/sdk';

export interface Answer {
  text: string;
  model: string;
  stopReason: string | null;
}

export interface AskParams {
  model: string;
  prompt: string;
  maxTokens: number;
}

export async function streamMessage(
  client: Anthropic,
  params: AskParams,
  signal?: AbortSignal,
): Promise<Answer> {
  const stream = await client.messages.create(
    {
      model: params.model,
      max_tokens: params.maxTokens,
      messages: [{ role: 'user', content: params.prompt }],
      stream: true,
    },
    { signal },
  );
  let text = '';
  let model = params.model;
  let stopReason: string | null = null;
  for await (const event of stream) {
    if (event.type === 'message_start') model = event.message.model;
    else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
      text += event.delta.text;
    else if (event.type === 'message_delta') stopReason = event.delta.stop_reason;
  }
  return { text, model, stopReason };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
