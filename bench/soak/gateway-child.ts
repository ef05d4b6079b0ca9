/**
 * Child entry: the outlast gateway for the fault soak, with every attempt of every call written
 * as a JSON line to `--trace` (our request id, the target, its outcome, the upstream's request
 * id): what ties a call the soak found wrong to the mock's log lines.
 * `node bench/soak/gateway-child.ts --config '<json>' --trace /tmp/file.jsonl`
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { startGateway } from '../../src/gateway/index.ts';
import { announceReady } from '../lib/child.ts';

const { values } = parseArgs({ options: { config: { type: 'string' }, trace: { type: 'string' } } });
if (!values.config || !values.trace) throw new Error('--config and --trace are required');
const trace = createWriteStream(values.trace);
const gateway = await startGateway({ config: JSON.parse(values.config), port: 0, host: '127.0.0.1' });
gateway.engine.on((e) => {
  if (e.type === 'attempt_end') {
    trace.write(
      `${JSON.stringify({
        r: e.requestId,
        p: e.provider,
        m: e.model,
        n: e.attempt,
        o: e.outcome,
        k: e.errorKind,
        s: e.status,
        u: e.upstreamRequestId,
        c: e.continuation || undefined,
        ms: Math.round(e.durationMs),
        err: e.error?.message.slice(0, 300),
      })}\n`,
    );
  } else if (e.type === 'complete' || e.type === 'failed') {
    trace.write(
      `${JSON.stringify({
        r: e.requestId,
        end: e.trace.outcome,
        attempts: e.trace.attempts.length,
        continued: e.trace.continued || undefined,
        skips: e.trace.breakerSkips.length || undefined,
        answeredBy: e.trace.answeredBy
          ? `${e.trace.answeredBy.provider}/${e.trace.answeredBy.model}`
          : undefined,
      })}\n`,
    );
  }
});
const stop = () => {
  void gateway
    .close()
    .catch(() => undefined)
    .finally(() => trace.end(() => process.exit(0)));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
announceReady(gateway.url);
