/**
 * /healthz (the process is alive), /readyz (the consumer joined its group and Redis and Kafka
 * answer), /metrics (Prometheus text format from the injected registry).
 */
import { type Server, createServer } from 'node:http';
import type { Registry } from 'prom-client';

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

export class HttpServer {
  private readonly server: Server;
  private readonly host: string;
  private readonly port: number;

  constructor(registry: Registry, readiness: readonly ReadinessCheck[], host: string, port: number) {
    this.host = host;
    this.port = port;
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/readyz') {
        void Promise.all(readiness.map(async (r) => [r.name, await r.check().catch(() => false)] as const)).then((results) => {
          const failing = results.filter(([, ok]) => !ok).map(([name]) => name);
          res
            .writeHead(failing.length ? 503 : 200, { 'content-type': 'text/plain' })
            .end(failing.length ? `not ready: ${failing.join(', ')}\n` : 'ready\n');
        });
      } else if (path === '/metrics') {
        void registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
          (e: unknown) => res.writeHead(500).end(String(e)),
        );
      } else {
        res.writeHead(404).end();
      }
    });
  }

  /** The port actually bound (differs from the configured one when that was 0). */
  get boundPort(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : this.port;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => resolve());
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
