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

  it('reads a Gemini model name holding slashes (a provider/model pair or a route)', () => {
    expect(
      recogniseCall(
        'POST',
        new URL('http://127.0.0.1:4010/v1beta/models/gemini/gemini-2.5-flash:generateContent'),
      ),
    ).toEqual({ format: 'gemini', pathModel: 'gemini/gemini-2.5-flash', pathStream: false });
  });

  it('knows OpenAI-compatible servers and the Anthropic beta query by path', () => {
    expect(recogniseCall('POST', new URL('http://127.0.0.1:8000/openai/v1/chat/completions'))).toEqual({
      format: 'openai',
    });
    expect(recogniseCall('POST', new URL('https://api.anthropic.com/v1/messages?beta=true'))).toEqual({
      format: 'anthropic',
    });
  });

  it('leaves other calls alone', () => {
    expect(recogniseCall('GET', new URL('https://api.openai.com/v1/models'))).toBeUndefined();
    expect(recogniseCall('GET', new URL('https://api.anthropic.com/v1/messages'))).toBeUndefined();
    expect(
      recogniseCall('POST', new URL('https://generativelanguage.googleapis.com/v1beta/models/x:countTokens')),
    ).toBeUndefined();
    expect(
      recogniseCall('POST', new URL('https://api.anthropic.com/v1/messages/count_tokens')),
    ).toBeUndefined();
    expect(recogniseCall('POST', new URL('https://api.anthropic.com/v1/messages/batches'))).toBeUndefined();
  });
});
