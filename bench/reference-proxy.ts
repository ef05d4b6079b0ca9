/**
 * The floor any gateway can reach in Node: node:http in front of an undici Pool, no policies,
 * no parsing. The request body is forwarded as it arrives and the response is piped back, so
 * what it adds over the upstream is the cost of one extra hop through Node.
 *
 * Child entry: `node bench/reference-proxy.ts --upstream http://127.0.0.1:4010 [--port 0]`
 * prints `{"ready":"http://127.0.0.1:PORT"}` once listening.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { announceReady, closeOnSignal } from './lib/child.ts';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
]);

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}

export interface ReferenceProxy {
  url: string;
  close(): Promise<void>;
}

export async function startReferenceProxy(options: {
  upstream: string;
  port?: number;
  host?: string;
}): Promise<ReferenceProxy> {
  const upstream = new URL(options.upstream);
  const pool = new Pool(upstream.origin, { connections: null, keepAliveTimeout: 30_000 });
  const server: Server = createServer((req, res) => {
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    pool
      .request({
        path: req.url ?? '/',
        method: (req.method ?? 'GET') as 'GET',
        headers: forwardable(req.headers),
        body: req.method === 'GET' || req.method === 'HEAD' ? null : req,
        signal: abort.signal,
      })
      .then(async (upstreamRes) => {
        const headers: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(upstreamRes.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
        }
        res.writeHead(upstreamRes.statusCode, headers);
        // Flush headers now: an SSE client must see them before the first event.
        res.flushHeaders();
        await pipeline(upstreamRes.body, res);
      })
      .catch(() => {
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end('{"error":{"message":"reference proxy: upstream failed","type":"proxy_error"}}');
        } else {
          res.destroy();
        }
      });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.destroy();
    },
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { upstream: { type: 'string' }, port: { type: 'string', default: '0' } },
  });
  if (!values.upstream) throw new Error('--upstream is required');
  const proxy = await startReferenceProxy({ upstream: values.upstream, port: Number(values.port) });
  closeOnSignal(proxy.close);
  announceReady(proxy.url);
}
