/** A request body's text as the JSON object every model-call endpoint takes. */
import { OutlastError, SPECIFIC_CODES } from '../errors/index.ts';

export function badBody(message: string, status = 400): OutlastError {
  return new OutlastError({ kind: 'bad_request', status, code: SPECIFIC_CODES.BAD_REQUEST_BODY, message });
}

/** Empty, malformed and non-object bodies are refused with a 400 that says which. */
export function parseJsonBody(text: string): Record<string, unknown> {
  // The content type is not checked: `curl -d` sends form encoding for JSON bodies.
  if (text.trim() === '') throw badBody('request body is empty; expected a JSON object');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw badBody(`request body is not valid JSON: ${(error as Error).message}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badBody('request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}
