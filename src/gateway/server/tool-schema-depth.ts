/** A decoded request's tool schemas under `server.maxToolSchemaDepth`: a schema nested thousands of levels deep must be a 400, not a stack overflow later. */
import { OutlastError, SPECIFIC_CODES } from '../../errors/index.ts';
import type { CanonicalRequest } from '../../wire/canonical/index.ts';
import { jsonDepth } from './json-depth.ts';

export function checkToolSchemaDepth(request: CanonicalRequest, max: number): void {
  (request.tools ?? []).forEach((tool, i) => {
    const depth = jsonDepth(tool.inputSchema, max);
    if (depth > max) {
      throw new OutlastError({
        kind: 'bad_request',
        status: 400,
        code: SPECIFIC_CODES.BAD_REQUEST_BODY,
        message: `tools.${i} (${tool.name}): input schema nested more than ${max} levels deep, over the gateway's limit of ${max} (server.maxToolSchemaDepth)`,
      });
    }
  });
}
