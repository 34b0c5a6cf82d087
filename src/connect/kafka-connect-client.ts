/**
 * A small client for the Kafka Connect REST API: just what managing Debezium connectors needs.
 * Every call has a timeout, and errors name the connector and the HTTP status.
 */
export interface ConnectorStatus {
  name: string;
  connector: { state: string; trace?: string };
  tasks: { id: number; state: string; trace?: string }[];
}

/** Time one REST call may take; Connect answers in milliseconds unless it is rebalancing. */
const REQUEST_TIMEOUT_MS = 15_000;

export class KafkaConnectClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  async plugins(): Promise<string[]> {
    const list = (await this.request('GET', '/connector-plugins')) as { class: string }[];
    return list.map((p) => p.class);
  }

  /** Creates or updates a connector; PUT on the config is idempotent. */
  async putConnector(name: string, config: Record<string, string>): Promise<void> {
    await this.request('PUT', `/connectors/${encodeURIComponent(name)}/config`, config);
  }

  async deleteConnector(name: string): Promise<void> {
    await this.request('DELETE', `/connectors/${encodeURIComponent(name)}`, undefined, [404]);
  }

  async status(name: string): Promise<ConnectorStatus | undefined> {
    return (await this.request('GET', `/connectors/${encodeURIComponent(name)}/status`, undefined, [404])) as
      | ConnectorStatus
      | undefined;
  }

  /** Waits until the connector and all its tasks run; fails early with the task's trace if one failed. */
  async waitRunning(name: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no status yet';
    while (Date.now() < deadline) {
      const status = await this.status(name).catch((e: unknown) => {
        last = String(e);
        return undefined;
      });
      if (status) {
        const failed = [status.connector, ...status.tasks].find((s) => s.state === 'FAILED');
        if (failed) {
          throw new Error(`connector ${name} failed: ${(failed.trace ?? '').split('\n')[0]}`);
        }
        if (status.connector.state === 'RUNNING' && status.tasks.length > 0 && status.tasks.every((t) => t.state === 'RUNNING')) {
          return;
        }
        last = `connector ${status.connector.state}, tasks ${status.tasks.map((t) => t.state).join(',') || 'none'}`;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`connector ${name} not running after ${timeoutMs} ms (${last})`);
  }

  private async request(method: string, path: string, body?: unknown, allowed: number[] = []): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (allowed.includes(response.status)) return undefined;
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`Kafka Connect ${method} ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
    }
    return text ? JSON.parse(text) : undefined;
  }
}
