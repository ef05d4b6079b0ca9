/**
 * Lazy reading of a stream's token events. After most of a stream, every event is the same
 * JSON text but for one string: `{"id":"…",…,"delta":{"content":"<token>"},…}`. Once an
 * event was parsed whole and found to be such a token event, the text before and after its
 * string value is kept; a later event that starts and ends with exactly that text, and has one
 * well-formed JSON string between them, is the same object with another string in that place
 * (JSON is read left to right, so the same prefix leaves the parser in the same state, the
 * string is one token, and the same suffix closes the same structure). Its value is then read
 * without `JSON.parse` of the whole event, which is most of what a relayed token costs.
 * Anything else (a different id, an added field, a malformed string) does not match and is
 * parsed whole, as before.
 */

export interface ValueTemplate {
  /** The event's text up to the value's opening quote (exclusive). */
  readonly prefix: string;
  /** The event's text after the value's closing quote. */
  readonly suffix: string;
}

/** Characters a JSON string's body may not hold raw: quotes, escapes, control characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: raw control characters are exactly what must not pass unparsed.
const NOT_PLAIN = /["\\\u0000-\u001f]/;

/**
 * The template of `data` around `"<key>":<value as JSON>`, when that appears exactly once
 * (else undefined: the place would be ambiguous). `value` must be what parsing `data` gave
 * for that key; the caller has checked the rest of the event is one it may template.
 */
export function learnValueTemplate(data: string, key: string, value: string): ValueTemplate | undefined {
  const literal = JSON.stringify(value);
  const marker = `"${key}":${literal}`;
  const at = data.indexOf(marker);
  if (at < 0 || data.indexOf(marker, at + 1) >= 0) return undefined;
  const start = at + marker.length - literal.length;
  return { prefix: data.slice(0, start), suffix: data.slice(start + literal.length) };
}

/** The string in the template's place when `data` is the template with another string there; undefined otherwise. */
export function readValueTemplate(template: ValueTemplate, data: string): string | undefined {
  const { prefix, suffix } = template;
  const open = prefix.length;
  const close = data.length - suffix.length - 1;
  if (close <= open || data.charCodeAt(open) !== 34 || data.charCodeAt(close) !== 34) return undefined;
  if (!data.startsWith(prefix) || !data.endsWith(suffix)) return undefined;
  const body = data.slice(open + 1, close);
  if (!NOT_PLAIN.test(body)) return body;
  // Escapes (or a quote that would end the string early): JSON says what it is, or that it is not one string.
  try {
    const value: unknown = JSON.parse(data.slice(open, close + 1));
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
