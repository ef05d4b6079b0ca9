/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and lists where the time went by self
 * time, grouped by function and file: enough to say what a missed target is spent on.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotSpot {
  frame: string;
  selfPct: number;
}

export async function newestProfile(dir: string): Promise<string | undefined> {
  const files = (await readdir(dir).catch(() => [] as string[]))
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  const last = files[files.length - 1];
  return last ? join(dir, last) : undefined;
}

/** Self time by where the code lives: `src/<layer>`, `node_modules/<package>`, node internals, GC, idle. */
export async function hotAreas(file: string, top = 12): Promise<HotSpot[]> {
  const spots = await selfTimes(file);
  const grouped = new Map<string, number>();
  let total = 0;
  for (const { url, functionName, us } of spots) {
    const path = url.replace(/^file:\/\//, '');
    let area: string;
    if (path === '') area = functionName.startsWith('(') ? functionName : '(native)';
    else if (path.startsWith('node:')) area = 'node internals';
    else if (path.includes('/node_modules/')) {
      const rest = path.split('/node_modules/').pop() ?? '';
      const parts = rest.split('/');
      area = `node_modules/${parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
    } else {
      const rel = relative(process.cwd(), path);
      const parts = rel.split('/');
      area = parts[0] === 'src' ? `src/${parts[1]}${parts.length > 3 ? `/${parts[2]}` : ''}` : rel;
    }
    grouped.set(area, (grouped.get(area) ?? 0) + us);
    total += us;
  }
  return [...grouped.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, us]) => ({ frame, selfPct: (us / Math.max(1, total)) * 100 }));
}

async function selfTimes(file: string): Promise<Array<{ url: string; functionName: string; us: number }>> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  return [...selfUs.entries()].flatMap(([id, us]) => {
    const node = byId.get(id);
    return node ? [{ url: node.callFrame.url, functionName: node.callFrame.functionName, us }] : [];
  });
}

export async function hotSpots(file: string, top = 15): Promise<HotSpot[]> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const grouped = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    // Idle is the process waiting, not spending: shares are of the time it worked.
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${relative(process.cwd(), url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
    const frame = `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    grouped.set(frame, (grouped.get(frame) ?? 0) + us);
    total += us;
  }
  return [...grouped.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, us]) => ({ frame, selfPct: (us / Math.max(1, total)) * 100 }));
}

/** The garbage collector's share of the profile's time (excluding idle), percent. */
export async function gcShare(file: string): Promise<number> {
  const spots = await selfTimes(file);
  let total = 0;
  let gc = 0;
  for (const { functionName, us } of spots) {
    if (functionName === '(idle)') continue;
    total += us;
    if (functionName === '(garbage collector)') gc += us;
  }
  return (gc / Math.max(1, total)) * 100;
}
