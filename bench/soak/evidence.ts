/**
 * What the soak reads after a system's run: the mock's log (every upstream attempt, with the
 * fault that struck it) and the gateway's trace (every attempt of every call, with the
 * upstream request id), joined so a wrong answer can be reported with the mock lines behind it.
 */
import { readFile } from 'node:fs/promises';
import type { MockLogEntry } from '../../src/testing/index.ts';

export interface TraceLine {
  r: string;
  p?: string;
  m?: string;
  n?: number;
  o?: string;
  k?: string;
  s?: number;
  u?: string;
  c?: boolean;
  ms?: number;
  err?: string;
  end?: string;
  attempts?: number;
  continued?: boolean;
  skips?: number;
  answeredBy?: string;
}

export async function fetchMockLog(mockUrl: string): Promise<{ entries: MockLogEntry[]; dropped: number }> {
  const res = await fetch(`${mockUrl}/_mock/log`);
  if (!res.ok) throw new Error(`GET /_mock/log answered ${res.status}`);
  return (await res.json()) as { entries: MockLogEntry[]; dropped: number };
}

export async function readTrace(file: string | undefined): Promise<Map<string, TraceLine[]>> {
  const byCall = new Map<string, TraceLine[]>();
  if (!file) return byCall;
  const text = await readFile(file, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const t = JSON.parse(line) as TraceLine;
      const list = byCall.get(t.r) ?? [];
      list.push(t);
      byCall.set(t.r, list);
    } catch {
      // a line cut by the child's exit: nothing to join
    }
  }
  return byCall;
}

/** One mock log entry as a report line. */
export function mockLine(e: MockLogEntry): string {
  const parts = [
    `#${e.seq}`,
    e.time.slice(11, 23),
    `${e.format}/${e.model}`,
    `attempt ${e.attempt}`,
    e.stream ? 'stream' : 'json',
    `status ${e.status ?? '–'}`,
    `fault ${e.fault ?? 'none'}`,
    e.continuation
      ? `${e.continuation}${e.continuationMatched === false ? ' (unmatched)' : ''} → ${e.continuationBehaviour ?? '?'}`
      : '',
    `tokens ${e.tokensSent}`,
    e.disconnected ? 'client left' : '',
    `${e.durationMs ?? '?'} ms`,
    e.requestId,
  ];
  return parts.filter((p) => p !== '').join(' · ');
}

/** A log entry's fault without its `on=` filter, so first attempts and continuations group by fault. */
export function faultName(fault: string | undefined): string {
  if (!fault) return 'none';
  return fault.replace(/\s+on=\w+/g, '').trim();
}
