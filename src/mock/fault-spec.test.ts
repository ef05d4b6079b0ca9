import { describe, expect, it } from 'vitest';
import { FaultSpecError, formatFault, parseFaultSpec } from './fault-spec.ts';

describe('parseFaultSpec', () => {
  it('reads an HTTP status with retry hints, reset headers and should-retry', () => {
    expect(parseFaultSpec('429 retry-after=2 retry-after-ms=1500 reset=3s should-retry=false')).toEqual({
      faults: [
        { type: 'http', status: 429, retryAfter: 2, retryAfterMs: 1500, resetMs: 3000, shouldRetry: false },
      ],
    });
  });

  it('reads the 400 variants by name', () => {
    expect(parseFaultSpec('context_length').faults).toEqual([
      { type: 'http', status: 400, variant: 'context_length' },
    ]);
    expect(parseFaultSpec('prefill_rejected').faults[0]).toMatchObject({ variant: 'prefill_rejected' });
    expect(parseFaultSpec('content-filter').faults[0]).toMatchObject({ variant: 'content_filter' });
  });

  it('reads connection and stream faults with their positions', () => {
    expect(parseFaultSpec('reset').faults).toEqual([{ type: 'reset' }]);
    expect(parseFaultSpec('hang').faults).toEqual([{ type: 'hang' }]);
    expect(parseFaultSpec('silence').faults).toEqual([{ type: 'silence' }]);
    expect(parseFaultSpec('cut after=5').faults).toEqual([{ type: 'cut', after: 5 }]);
    expect(parseFaultSpec('stall after=3 ms=2s').faults).toEqual([{ type: 'stall', after: 3, ms: 2000 }]);
    expect(parseFaultSpec('stall after=3').faults).toEqual([{ type: 'stall', after: 3 }]);
    expect(parseFaultSpec('malformed at=4').faults).toEqual([{ type: 'malformed', at: 4 }]);
    expect(parseFaultSpec('error_event at=2 error=rate_limited').faults).toEqual([
      { type: 'error_event', at: 2, error: 'rate_limited' },
    ]);
    expect(parseFaultSpec('missing_done').faults).toEqual([{ type: 'no_terminal' }]);
    expect(parseFaultSpec('slow_first_token ms=800').faults).toEqual([{ type: 'slow', firstTokenMs: 800 }]);
    expect(parseFaultSpec('slow_tokens ms=20').faults).toEqual([{ type: 'slow', tokenMs: 20 }]);
  });

  it('combines faults with ; and lifts times out of them', () => {
    expect(parseFaultSpec('slow_tokens ms=20; cut after=10 times=2')).toEqual({
      faults: [
        { type: 'slow', tokenMs: 20 },
        { type: 'cut', after: 10 },
      ],
      times: 2,
    });
  });

  it.each([
    ['', 'empty'],
    ['teapot', 'unknown fault "teapot"'],
    ['302', 'not an error status'],
    ['cut', 'needs after='],
    ['cut after=x', 'not a whole number'],
    ['429 retry-after=soon', 'not a number of seconds'],
    ['429 colour=blue', 'unknown parameter colour'],
    ['500 variant=context_length', 'needs status 400'],
    ['cut after=1 times=0', 'times=0'],
  ])('rejects %j naming the problem', (spec, problem) => {
    expect(() => parseFaultSpec(spec)).toThrow(FaultSpecError);
    expect(() => parseFaultSpec(spec)).toThrow(problem);
  });

  it('formats faults so that the text parses back to the same fault', () => {
    for (const spec of [
      '529',
      '429 retry-after=1 reset=1000ms',
      'context_length',
      'cut after=3',
      'stall after=2 ms=500',
      'error_event at=1 error=server',
      'slow first=100ms token=5ms',
      'no_terminal',
    ]) {
      const [fault] = parseFaultSpec(spec).faults;
      expect(parseFaultSpec(formatFault(fault!)).faults[0]).toEqual(fault);
    }
  });
});

describe('cuts at the end of a stream and inside tool calls', () => {
  it('reads and formats them, and on= on any fault', () => {
    for (const [text, fault] of [
      ['cut_before_stop', { type: 'cut_before_stop' }],
      ['cut_after_stop', { type: 'cut_after_stop' }],
      ['cut_after_stop usage=false', { type: 'cut_after_stop', usage: false }],
      ['cut_in_tool args=3', { type: 'cut_in_tool', args: 3 }],
      ['cut after=5 on=continuation', { type: 'cut', after: 5, on: 'continuation' }],
      ['429 retry-after=1 on=continuation', { type: 'http', status: 429, retryAfter: 1, on: 'continuation' }],
      ['500 on=first', { type: 'http', status: 500, on: 'first' }],
    ] as const) {
      expect(parseFaultSpec(text).faults).toEqual([fault]);
      expect(formatFault(parseFaultSpec(text).faults[0]!)).toBe(text);
    }
    expect(parseFaultSpec('cut_in_tool').faults).toEqual([{ type: 'cut_in_tool', args: 1 }]);
    expect(parseFaultSpec('lost_terminal').faults).toEqual([{ type: 'cut_after_stop' }]);
    expect(parseFaultSpec('no_stop_reason').faults).toEqual([{ type: 'cut_before_stop' }]);
  });

  it('names a bad on= or usage=', () => {
    expect(() => parseFaultSpec('cut after=2 on=retry')).toThrow(/on=retry is not first or continuation/);
    expect(() => parseFaultSpec('cut_after_stop usage=maybe')).toThrow(/usage must be true or false/);
  });
});
