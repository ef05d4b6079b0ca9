/**
 * Nothing outlives a call. In a file of its own so that no other test's servers or sockets
 * blur the count. The scopes and the transport run on a fake clock, so every timer they
 * start is counted exactly.
 */
import { expect, it } from 'vitest';
import { createDeadline } from '../../src/policy/deadline.ts';
import { createFakeClock } from '../../src/policy/fake-clock.ts';
import { createTransport } from '../../src/transport/index.ts';
import { call, chunk, collect, rejection, sleep, sseHeaders, startHttp, usageChunk } from './support.ts';

it('leaves no timer and no socket behind once the scopes are disposed and the transport closed', async () => {
  const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  const clock = createFakeClock();
  const server = await startHttp((req, res) => {
    res.writeHead(200, sseHeaders);
    const whole = chunk({ role: 'assistant', content: 'x' }) + chunk({}, 'stop') + usageChunk;
    if (req.url === '/stall/chat/completions') res.write(chunk({ role: 'assistant', content: 'x' }));
    // Complete but held open: the drain timer is the transport's own, on its clock.
    else if (req.url === '/held/chat/completions') res.write(whole);
    else res.end(`${whole}data: [DONE]\n\n`);
  });
  const transport = createTransport({ clock });
  const budgets = { connect: 5000, headers: 5000, firstToken: 5000, idle: 150, total: 10_000 };
  const deadline = createDeadline({ clock, timeoutMs: 20_000 });

  const whole = deadline.attempt(budgets);
  await collect(await transport.stream(call(server.url, whole)));
  whole.dispose();

  const held = deadline.attempt(budgets);
  await collect(await transport.stream(call(`${server.url}/held`, held)));
  held.dispose();
  expect(clock.pendingTimers()).toBe(2); // the deadline's and the held socket's drain
  await clock.advanceAsync(1000);

  const stalled = deadline.attempt(budgets);
  const upstream = await transport.stream(call(`${server.url}/stall`, stalled));
  const reading = rejection(collect(upstream));
  await sleep(50);
  await clock.advanceAsync(150);
  expect(await reading).toMatchObject({ kind: 'timeout', phase: 'idle' });
  stalled.dispose();

  deadline.dispose();
  expect(clock.pendingTimers()).toBe(0);
  await transport.close();
  await server.close();
  await sleep(20);
  expect(sockets()).toBe(0);
});
