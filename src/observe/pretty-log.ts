/**
 * A human-readable rendering of pino's JSON lines for a terminal: time, level, message, then
 * the fields as `key=value`. Small on purpose (pino-pretty brings a dozen packages for this).
 * A line that is not JSON passes through unchanged.
 */
import { Writable } from 'node:stream';

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '90' },
  20: { name: 'DEBUG', color: '36' },
  30: { name: 'INFO ', color: '32' },
  40: { name: 'WARN ', color: '33' },
  50: { name: 'ERROR', color: '31' },
  60: { name: 'FATAL', color: '35' },
};
// pino's own fields, shown in the head of the line or not at all.
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'event']);

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (v !== null && typeof v === 'object') {
    if (!Array.isArray(v)) {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.every(([, x]) => typeof x !== 'object' || x === null))
        return entries.map(([k, x]) => `${k}:${String(x)}`).join(',');
    }
    return JSON.stringify(v);
  }
  return String(v);
}

/** One JSON log line as text. */
export function formatLogLine(line: string, color: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (record === null || typeof record !== 'object') return line;
  const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const time = typeof record['time'] === 'number' ? new Date(record['time']) : new Date();
  const clock = time.toISOString().slice(11, 23);
  const level = LEVELS[Number(record['level'])] ?? { name: String(record['level']), color: '0' };
  const msg = typeof record['msg'] === 'string' ? record['msg'] : '';
  const fields = Object.entries(record)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
    .map(([k, v]) => `${paint('2', `${k}=`)}${value(v)}`)
    .join(' ');
  return `${paint('2', clock)} ${paint(level.color, level.name)} ${msg}${fields ? ` ${fields}` : ''}`;
}

/** A stream for pino that writes each line to `out` rendered for a person. */
export function createPrettyStream(
  out: { write(text: string): unknown },
  options: { color?: boolean } = {},
): Writable {
  const color = options.color ?? false;
  let rest = '';
  return new Writable({
    write(chunk, _encoding, done) {
      const text = rest + String(chunk);
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      let rendered = '';
      for (const line of lines) if (line !== '') rendered += `${formatLogLine(line, color)}\n`;
      if (rendered !== '') out.write(rendered);
      done();
    },
    final(done) {
      if (rest !== '') out.write(`${formatLogLine(rest, color)}\n`);
      rest = '';
      done();
    },
  });
}
