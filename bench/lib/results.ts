/** Where a suite leaves its numbers: bench/results/<suite>.json and .svg (committed, read by the README). */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** BENCH_RESULTS_DIR redirects a trial run so it does not overwrite the committed results. */
export const resultsDir = process.env.BENCH_RESULTS_DIR
  ? `${process.env.BENCH_RESULTS_DIR.replace(/\/$/, '')}/`
  : fileURLToPath(new URL('../results/', import.meta.url));

export function machineInfo(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryMb: Math.round(os.totalmem() / 2 ** 20),
    loadavg1: Number(os.loadavg()[0]?.toFixed(2) ?? 0),
  };
}

export async function writeResults(suite: string, data: object, svg: string): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  const json = `${JSON.stringify({ suite, date: new Date().toISOString(), machine: machineInfo(), ...data }, null, 2)}\n`;
  await writeFile(`${resultsDir}${suite}.json`, json);
  await writeFile(`${resultsDir}${suite}.svg`, svg);
  console.log(`\nwrote ${resultsDir}${suite}.json and ${resultsDir}${suite}.svg`);
}
