/**
 * Redis key names. All the keys one script call touches share the hash tag `{prefix:entity:shard}`,
 * so they live in one Redis Cluster slot; shards spread an entity over the cluster.
 */
export interface ShardKeys {
  dayA: string;
  dayB: string;
  diff: string;
  dirty: string;
  open: string;
  resolved: string;
  /** Days the judge has taken from `dirty` and not yet decided. */
  pending: string;
  bucket(index: number): string;
}

export function shardTag(prefix: string, entity: string, shard: number): string {
  return `{${prefix}:${entity}:${shard}}`;
}

export function shardKeys(prefix: string, entity: string, shard: number): ShardKeys {
  const tag = shardTag(prefix, entity, shard);
  return {
    dayA: `${tag}:day:a`,
    dayB: `${tag}:day:b`,
    diff: `${tag}:diff`,
    dirty: `${tag}:dirty`,
    open: `${tag}:open`,
    resolved: `${tag}:resolved`,
    pending: `${tag}:pending`,
    bucket: (index) => `${tag}:k:${index}`,
  };
}

/** Keys the judge alone writes, one per entity (not on the hot path, so no shard tag needed). */
export function entityKeys(prefix: string, entity: string) {
  const base = `${prefix}:${entity}`;
  return {
    /** Per-day verdicts: day number -> JSON. */
    days: `${base}:days`,
    /** Open day-level mismatches: id -> JSON. */
    openDays: `${base}:open-days`,
    /** The state layout this entity's state was written with; a change needs a rebuild. */
    layout: `${base}:layout`,
    /** The resolved list of hashed columns (for `hash: all`), fixed at first sight. */
    columns: `${base}:columns`,
    /** Set when a truncate was seen: the entity needs a full batch audit. */
    truncated: `${base}:truncated`,
    /** Lease of the instance that judges this entity. */
    judgeLease: `${base}:judge-lease`,
  };
}

/** Offset gaps (messages deleted before they were read), a list for the batch audit to work off. */
export function offsetGapsKey(prefix: string): string {
  return `${prefix}:offset-gaps`;
}

/** Watermarks of all partitions, one hash for the deployment. */
export function watermarkKey(prefix: string): string {
  return `${prefix}:watermarks`;
}

/** FNV-1a over the UTF-16 code units: cheap, stable, and well spread for shard and bucket choice. */
export function keyHash32(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function placeKey(key: string, shards: number, buckets: number): { shard: number; bucket: number } {
  const h = keyHash32(key);
  return { shard: h % shards, bucket: Math.floor(h / shards) % buckets };
}
