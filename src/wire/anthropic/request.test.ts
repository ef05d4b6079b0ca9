import { describe, expect, it } from 'vitest';
import { OutlastError } from '../../errors/index.ts';
import { fixtureNames, readJsonFixture } from './fixtures.ts';
import { anthropicCodec } from './index.ts';

function roundTrip(body: unknown): unknown {
  const raw = body as { model: string; stream?: boolean };
  const canonical = anthropicCodec.decodeRequest(body);
  return anthropicCodec.encodeRequest(canonical, { model: raw.model, stream: raw.stream === true }).body;
}

function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(OutlastError.isInstance(error)).toBe(true);
    expect((error as OutlastError).kind).toBe('bad_request');
    return (error as OutlastError).message;
  }
  throw new Error('expected a bad_request');
}

describe('anthropic request round trip', () => {
  it.each(fixtureNames('request.', '', '.json'))(
    '%s: Anthropic → canonical → Anthropic is the identity',
    (name) => {
      const body = readJsonFixture(name);
      expect(roundTrip(body)).toEqual(body);
    },
  );

  it('names the field of an invalid body', () => {
    const msg = badRequestMessage(() =>
      anthropicCodec.decodeRequest({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 5 }] }),
    );
    expect(msg).toMatch(/^messages\.0\.content: expected string or array/);
  });
});
