export {
  type AnthropicEventStream,
  type ChatCompletionCreateParams,
  type ChatCompletionStream,
  type ClientDeps,
  type ClientOptions,
  createClient,
  type MessageCreateParams,
  type OutlastClient,
  type RequestOptions,
} from './create-client.ts';
export type { MessageStream } from './message-stream.ts';
export type { ResponseCreateParams, ResponsesApi, ResponsesEventStream } from './responses.ts';
export type { TracedPromise } from './traced-promise.ts';
export type * from './types.ts';
