/**
 * Child entry: the mock provider in its own process, so the load generator and the system under
 * test do not share its event loop.
 * `node bench/services/mock-child.ts --scenario '<json or name>' --seed N [--log-limit N]`
 */
import { parseArgs } from 'node:util';
import { startMockProvider } from '../../src/testing/index.ts';
import { announceReady, closeOnSignal } from '../lib/child.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'healthy' },
    seed: { type: 'string', default: '1' },
    'log-limit': { type: 'string' },
  },
});
const raw = values.scenario ?? 'healthy';
const scenario = raw.trimStart().startsWith('{') ? JSON.parse(raw) : raw;
const logLimit = values['log-limit'] === undefined ? {} : { logLimit: Number(values['log-limit']) };
const mock = await startMockProvider({
  port: 0,
  host: '127.0.0.1',
  scenario,
  seed: Number(values.seed),
  ...logLimit,
});
closeOnSignal(() => mock.close());
announceReady(mock.url);
