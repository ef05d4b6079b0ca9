export { createTransport } from './create-transport.ts';
export type {
  RawAnswer,
  RawRequest,
  Transport,
  TransportOptions,
  UpstreamAnswer,
  UpstreamCall,
  UpstreamStream,
  UpstreamTarget,
} from './types.ts';
