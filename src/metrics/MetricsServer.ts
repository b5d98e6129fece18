/** Serves /metrics (Prometheus text format) over HTTP. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { PipelineMetrics } from './PipelineMetrics.js';

export class MetricsServer {
  private server: Server | undefined;

  constructor(private readonly metrics: PipelineMetrics) {}

  /** Listens on host:port (port 0 picks a free one); resolves with the URL of /metrics. */
  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => {
      if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
        this.metrics
          .text()
          .then((body) => {
            res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
            res.end(body);
          })
          .catch((err: Error) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`metrics collection failed: ${err.message}\n`);
          });
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found: try /metrics\n');
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    return `http://${host}:${addr.port}/metrics`;
  }

  /** Closes the server; safe to call twice. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections?.();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
