/**
 * A child process for the connect-timeout test: listens on loopback with a backlog of 1,
 * prints its port, then blocks its own event loop so it never accepts. Once the kernel's
 * accept queue is full, new SYNs are dropped and a connect just hangs, all on 127.0.0.1.
 */
import net from 'node:net';

const server = net.createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`);
  setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0), 20);
});
