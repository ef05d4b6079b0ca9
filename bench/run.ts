/**
 * `npm run bench [-- suite... [--flag=value...]]`: runs the suites in bench/suites (each a module
 * exporting `run(): Promise<void>`), all of them when none is named. Outside `npm test` on purpose.
 * Arguments starting with `--` are left in process.argv for the suites to read (`soak --duration=30`).
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const suitesDir = fileURLToPath(new URL('./suites/', import.meta.url));
const available = (await readdir(suitesDir).catch(() => [] as string[]))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; available: ${available.join(', ') || 'none yet'}`);
  process.exit(2);
}
const suites = wanted.length > 0 ? wanted : available;
if (suites.length === 0) console.log('no benchmark suites yet (bench/suites/*.ts)');
for (const name of suites) {
  console.log(`\n== ${name}`);
  const mod = (await import(new URL(`./suites/${name}.ts`, import.meta.url).href)) as {
    run(): Promise<void>;
  };
  await mod.run();
}
