// The Prometheus endpoint (config sluice.metrics.listener = http://host:port; empty: none): node:http, GET /metrics
// answers the text exposition format (prom-client), anything else 404. A scrape gathers the shards' stats with a
// bounded wait (broker-metrics.ts) and never blocks the broker's own work: it is one more task on the main thread's
// event loop. Requests past MAX_CONCURRENT_SCRAPES are answered 503 at once.
// Owner: main thread.
import { createServer, type Server } from 'node:http';
import type { BrokerMetrics } from './broker-metrics.ts';

// 4 scrapes in flight at most (they share one gathering anyway); more means something is hammering the endpoint.
const MAX_CONCURRENT_SCRAPES = 4;
// A connection that sends nothing for 10 s is closed (headersTimeout/requestTimeout of node:http).
const REQUEST_TIMEOUT_MS = 10_000;

export interface MetricsEndpoint {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Parses `http://host:port` (the port may be 0: any free one); throws on anything else (start-up error). */
export function parseMetricsListener(value: string): { host: string; port: number } {
  const m = /^http:\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]+):(\d{1,5})\/?$/.exec(value.trim());
  if (m === null || Number(m[2]) > 65535) {
    throw new Error(`sluice.metrics.listener: expected http://host:port, got ${JSON.stringify(value)}`);
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

export async function startMetricsEndpoint(
  listener: string,
  metrics: BrokerMetrics,
  log: (message: string) => void,
): Promise<MetricsEndpoint> {
  const { host, port } = parseMetricsListener(listener);
  let inFlight = 0;
  const server: Server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS });
  server.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    if (inFlight >= MAX_CONCURRENT_SCRAPES) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end('too many scrapes\n');
      return;
    }
    inFlight++;
    metrics.scrape().then(
      (text) => {
        inFlight--;
        res.writeHead(200, { 'content-type': metrics.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err) => {
        inFlight--;
        log(`metrics scrape failed: ${(err as Error)?.stack ?? err}`);
        res.writeHead(500, { 'content-type': 'text/plain' }).end('scrape failed\n');
      },
    );
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : port);
    });
  });
  return {
    host,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
