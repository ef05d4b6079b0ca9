/**
 * Structure A/B (issue 14: "the benchmarks show no regression beyond noise, same-run A/B"): the
 * gateway as it was before the engine split (BENCH_AB_BASE, default b912d66, the commit before
 * the first split commit 7f9536e of 2026-12-07) against this checkout, each in its own child
 * process in front of the same mock, load rounds alternating. The old tree is extracted with
 * `git archive` into the temp dir (no worktree, nothing in the repository changes) and runs on
 * this checkout's node_modules. Everything that landed between the two is in the comparison,
 * not only the split: read a difference with `git log BASE..HEAD`. CPU per request of the
 * gateway process, ratios to (a) by paired round.
 * `npm run bench -- structure-ab`; knobs BENCH_AB_BASE, BENCH_AB_HEAD (a revision instead of this
 * checkout), BENCH_AB_ROUNDS (6), BENCH_AB_S (3 s a
 * round), BENCH_AB_CONNECTIONS (16).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AbVariant, abGatewayConfig, runAbSuite } from '../lib/ab.ts';
import { readyLine, spawnService } from '../lib/child.ts';
import { overheadScenario } from '../overhead/scenario.ts';
import { startMockChild } from '../services/services.ts';

const BASE = process.env.BENCH_AB_BASE ?? 'b912d66';
/** Another revision in place of this checkout, e.g. 7f9536e to isolate the split commit itself. */
const HEAD_REV = process.env.BENCH_AB_HEAD;
const repo = fileURLToPath(new URL('../../', import.meta.url));

/** The tree at `rev` in a temp dir, with this checkout's node_modules linked in. */
async function extract(rev: string): Promise<string> {
  const dir = join(tmpdir(), `outlast-ab-${rev}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const tar = execFileSync('git', ['-C', repo, 'archive', '--format=tar', rev], { maxBuffer: 512 * 2 ** 20 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  await symlink(join(repo, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

const gateway = (root: string, mockUrl: string) => () =>
  spawnService({
    name: 'outlast-gateway',
    args: [
      join(root, 'bench/services/gateway-child.ts'),
      '--config',
      JSON.stringify(abGatewayConfig(mockUrl)),
    ],
    readyFromLine: readyLine,
  });

export async function run(): Promise<void> {
  const head =
    HEAD_REV ?? execFileSync('git', ['-C', repo, 'rev-parse', '--short', 'HEAD']).toString().trim();
  const old = await extract(BASE);
  const newer = HEAD_REV ? await extract(HEAD_REV) : repo;
  const mock = await startMockChild(overheadScenario());
  try {
    const variants: AbVariant[] = [
      {
        label: `(a) ${BASE}${process.env.BENCH_AB_BASE ? '' : ', before the split'}`,
        start: gateway(old, mock.url),
      },
      { label: `(b) ${head}${HEAD_REV ? '' : ', this checkout'}`, start: gateway(newer, mock.url) },
    ];
    await runAbSuite('structure-ab', variants, mock, { base: BASE, head });
  } finally {
    await mock.close();
    await rm(old, { recursive: true, force: true });
    if (newer !== repo) await rm(newer, { recursive: true, force: true });
  }
}
