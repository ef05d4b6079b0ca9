import { describe, expect, it } from 'vitest';
import { recogniseCall } from './recognise-call.ts';

describe('recogniseCall', () => {
  it('knows the three SDKs generation calls by path', () => {
    expect(recogniseCall('POST', new URL('https://api.anthropic.com/v1/messages'))).toEqual({
      format: 'anthropic',
    });
    expect(recogniseCall('POST', new URL('https://api.openai.com/v1/chat/completions'))).toEqual({
      format: 'openai',
    });
    expect(
      recogniseCall(
        'POST',
        new URL(
          'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
        ),
      ),
    ).toEqual({ format: 'gemini', pathModel: 'gemini-2.5-flash', pathStream: true });
  });

  it('leaves other calls alone', () => {
    expect(recogniseCall('GET', new URL('https://api.openai.com/v1/models'))).toBeUndefined();
    expect(
      recogniseCall('POST', new URL('https://api.anthropic.com/v1/messages/count_tokens')),
    ).toBeUndefined();
    expect(recogniseCall('POST', new URL('https://api.anthropic.com/v1/messages/batches'))).toBeUndefined();
  });
});
