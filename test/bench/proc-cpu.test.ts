import { describe, expect, it } from 'vitest';
import { cpuMsFromProcStat, procCpuMs } from '../../bench/lib/child.ts';

// pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
const stat = (comm: string, utime: number, stime: number) =>
  `4242 (${comm}) S 1 4242 4242 0 -1 4194560 900 0 0 0 ${utime} ${stime} 0 0 20 0 11 0 123 456 789\n`;

describe('CPU time of a benchmark child from /proc/<pid>/stat', () => {
  it('adds user and system ticks, at 100 ticks per second', () => {
    expect(cpuMsFromProcStat(stat('node', 150, 25))).toBe(1750);
  });

  it('counts fields after the last parenthesis, so a command name with spaces or parentheses is safe', () => {
    expect(cpuMsFromProcStat(stat('my (odd) node 1', 3, 4))).toBe(70);
  });

  it('is NaN for text that is not a stat line', () => {
    expect(cpuMsFromProcStat('')).toBeNaN();
    expect(cpuMsFromProcStat('4242 (node) S 1')).toBeNaN();
  });

  it('reads this process, and is NaN for a pid that does not exist', async () => {
    const before = await procCpuMs(process.pid);
    let spin = 0;
    const until = performance.now() + 60;
    while (performance.now() < until) spin++;
    const after = await procCpuMs(process.pid);
    expect(spin).toBeGreaterThan(0);
    expect(Number.isFinite(before)).toBe(true);
    expect(after).toBeGreaterThanOrEqual(before);
    expect(await procCpuMs(-1)).toBeNaN();
  });
});
