/**
 * Child entry: the outlast gateway in its own process, so its RSS is its own.
 * `node bench/services/gateway-child.ts --config '<json>' [--connections-per-origin N]`
 * (the transport's sockets per upstream origin, 1024 by default: the 10,000-stream run needs more).
 */
import { parseArgs } from 'node:util';
import { startGateway, startGatewayWith } from '../../src/gateway/index.ts';
import { createTransport } from '../../src/transport/index.ts';
import { isPrefillRejection } from '../../src/wire/anthropic/index.ts';
import { anthropicCodec, codecFor, openaiCodec } from '../../src/wire/index.ts';
import { announceReady, closeOnSignal, reportHeapOnSignal } from '../lib/child.ts';

const { values } = parseArgs({
  options: { config: { type: 'string' }, 'connections-per-origin': { type: 'string' } },
});
if (!values.config) throw new Error('--config is required');
const options = { config: JSON.parse(values.config), port: 0, host: '127.0.0.1' };
const perOrigin = values['connections-per-origin'];
const gateway = perOrigin
  ? await startGatewayWith(options, {
      transport: createTransport({ connectionsPerOrigin: Number(perOrigin) }),
      codecFor,
      isPrefillRejection,
      serverCodecs: { anthropic: anthropicCodec, openai: openaiCodec },
    })
  : await startGateway(options);
closeOnSignal(() => gateway.close());
reportHeapOnSignal();
announceReady(gateway.url);
