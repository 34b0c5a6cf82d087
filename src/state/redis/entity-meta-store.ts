import type { Cluster, Redis } from 'ioredis';
import type { EntityMetaStore } from '../../engine/entity-runtime.ts';
import { entityKeys } from './keys.ts';

/** An entity's fixed column list and state layout, shared by every instance through Redis. */
export class RedisEntityMetaStore implements EntityMetaStore {
  private readonly client: Redis | Cluster;
  private readonly prefix: string;

  constructor(client: Redis | Cluster, prefix: string) {
    this.client = client;
    this.prefix = prefix;
  }

  private key(entity: string, what: 'columns' | 'layout'): string {
    return entityKeys(this.prefix, entity)[what];
  }

  get(entity: string, what: 'columns' | 'layout'): Promise<string | null> {
    return this.client.get(this.key(entity, what));
  }

  async setOnce(entity: string, what: 'columns' | 'layout', value: string): Promise<string> {
    const key = this.key(entity, what);
    await this.client.set(key, value, 'NX');
    return (await this.client.get(key))!;
  }
}
