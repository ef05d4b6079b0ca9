/**
 * A whole SSE text → its events, through the real parser (eventsource-parser, as the
 * transport uses it), a last event without its blank line included. For fixtures and tests;
 * the transport feeds the parser chunk by chunk itself.
 */
import { createParser } from 'eventsource-parser';
import type { SseEvent } from '../codec.ts';

export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createParser({
    onEvent: (e) => {
      const event: SseEvent = { data: e.data };
      if (e.event !== undefined) event.event = e.event;
      events.push(event);
    },
  });
  parser.feed(text);
  parser.reset({ consume: true });
  return events;
}
