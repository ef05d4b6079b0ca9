/**
 * Before the suite: the shared-state tests need a Redis. They get a private redis-server on a
 * free port for the run (killed after it, nothing saved), never whatever answers on
 * 127.0.0.1:6379, which may be shared. OUTLAST_TEST_REDIS=redis://… names another on purpose.
 */
import { startPrivateRedis } from './state/redis-server.ts';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.OUTLAST_TEST_REDIS) return undefined;
  const redis = await startPrivateRedis().catch((error: unknown) => {
    throw new Error(
      'the shared-state tests need Redis: `redis-server` could not be started on a free port ' +
        '(install it, e.g. `apt-get install redis-server`, or set OUTLAST_TEST_REDIS=redis://…)',
      { cause: error },
    );
  });
  process.env.OUTLAST_TEST_REDIS = redis.url;
  return () => redis.stop();
}
