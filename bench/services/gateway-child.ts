/**
 * Child entry: the outlast gateway in its own process, so its RSS is its own.
 * `node bench/services/gateway-child.ts --config '<json>'`
 */
import { parseArgs } from 'node:util';
import { startGateway } from '../../src/gateway/index.ts';
import { announceReady, closeOnSignal, reportHeapOnSignal } from '../lib/child.ts';

const { values } = parseArgs({ options: { config: { type: 'string' } } });
if (!values.config) throw new Error('--config is required');
const gateway = await startGateway({ config: JSON.parse(values.config), port: 0, host: '127.0.0.1' });
closeOnSignal(() => gateway.close());
reportHeapOnSignal();
announceReady(gateway.url);
