/**
 * Before the suite: the shared-state tests need a Redis. Use the one on 127.0.0.1:6379 when it
 * answers (CI starts it), otherwise start a private redis-server for the run, so that
 * `npm install && npm test` works on any machine with `redis-server` on its PATH.
 */
import { Socket } from 'node:net';
import { startPrivateRedis } from './state/redis-server.ts';

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.OUTLAST_TEST_REDIS || (await answers(6379))) return undefined;
  const redis = await startPrivateRedis().catch((error: unknown) => {
    throw new Error(
      'the shared-state tests need Redis: none answers on 127.0.0.1:6379 and `redis-server` could not be ' +
        'started (install it, e.g. `apt-get install redis-server`, or set OUTLAST_TEST_REDIS=redis://…)',
      { cause: error },
    );
  });
  process.env.OUTLAST_TEST_REDIS = redis.url;
  return () => redis.stop();
}
