/** Request ids in the shape the providers' SDKs show as `requestID`: `req_` and 32 hex digits. */
import { randomUUID } from 'node:crypto';

export function newRequestId(): string {
  return `req_${randomUUID().replaceAll('-', '')}`;
}
