import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../dialect.ts';
import { compose, type GatewayContext, type Middleware } from './compose.ts';

const ctx = () =>
  ({
    req: {} as IncomingMessage,
    res: {} as ServerResponse,
    path: '/x',
    method: 'GET',
    dialect: {} as Dialect,
  }) satisfies GatewayContext;

describe('compose', () => {
  it('runs middleware in order around the handler and passes the status back out', async () => {
    const seen: string[] = [];
    const tag =
      (name: string): Middleware =>
      async (_c, next) => {
        seen.push(`${name} in`);
        const status = await next();
        seen.push(`${name} out ${status}`);
        return status;
      };
    const status = await compose([tag('a'), tag('b')], async () => {
      seen.push('handler');
      return 204;
    })(ctx());
    expect(status).toBe(204);
    expect(seen).toEqual(['a in', 'b in', 'handler', 'b out 204', 'a out 204']);
  });

  it('lets a middleware answer without calling next', async () => {
    let reached = false;
    const status = await compose([async () => 401], async () => {
      reached = true;
      return 200;
    })(ctx());
    expect(status).toBe(401);
    expect(reached).toBe(false);
  });

  it('refuses a second next() from the same middleware', async () => {
    const twice: Middleware = async function twice(_c, next) {
      await next();
      return next();
    };
    await expect(compose([twice], async () => 200)(ctx())).rejects.toThrow(
      /twice: next\(\) called more than once/,
    );
  });
});
