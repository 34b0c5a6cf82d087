/**
 * The composition root: the one place that builds the adapters (Kafka, Redis, HTTP) from the
 * configuration and wires them to the engine. Everything else receives what it needs.
 */
import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createKafka, createRedis } from './adapters/clients.ts';
import { keyPresenter } from './compare/mismatch-factory.ts';
import { tolerance } from './compare/verdicts.ts';
import { type ReconcilerConfig, toEntityModel } from './config/index.ts';
import type { Side } from './domain/change.ts';
import type { MismatchEvent } from './domain/mismatch-event.ts';
import { EntityRuntime } from './engine/entity-runtime.ts';
import { Ingestor, type Route } from './engine/ingestor.ts';
import { Judge, type JudgedEntitySource } from './engine/judge.ts';
import { type MismatchSink, systemClock } from './engine/ports.ts';
import { HttpServer } from './http/http-server.ts';
import { engineMetrics } from './metrics/engine-metrics.ts';
import { KafkaDeadLetterSink } from './sinks/kafka-dead-letter-sink.ts';
import { KafkaMismatchSink } from './sinks/kafka-mismatch-sink.ts';
import { decoderFor, heartbeatDecoder } from './sources/decoders.ts';
import { KafkaChangeSource } from './sources/kafka-change-source.ts';
import { RedisEntityMetaStore } from './state/redis/entity-meta-store.ts';
import { entityKeys, offsetGapsKey } from './state/redis/keys.ts';
import { JudgeStore } from './state/redis/judge-store.ts';
import { RedisStateStore } from './state/redis/redis-state-store.ts';
import { RedisWatermarkStore, type TopicLayout } from './state/redis/watermark-store.ts';

/** How often each instance reports the progress of its partitions. */
const PROGRESS_INTERVAL_MS = 1_000;

export interface RunningReconciler {
  /** The HTTP port actually bound. */
  httpPort: number;
  /** Drains: stops fetching, finishes the batches in hand, commits their offsets, then closes. */
  stop(): Promise<void>;
}

export async function startReconciler(config: ReconcilerConfig, log: Logger, registry = new Registry()): Promise<RunningReconciler> {
  collectDefaultMetrics({ register: registry, prefix: 'recon_process_' });
  const metrics = engineMetrics(registry);
  const kafka = createKafka(config, log);
  const redis = createRedis(config);
  const prefix = config.redis.keyPrefix;
  const store = new RedisStateStore(redis, { prefix, shards: config.redis.shards, buckets: config.redis.keyBuckets });
  const judgeStore = new JudgeStore(redis, prefix, config.redis.shards);
  const watermarkStore = new RedisWatermarkStore(redis, prefix);
  const meta = new RedisEntityMetaStore(redis, prefix);

  const entities = config.entities.map((e) => ({ config: e, runtime: new EntityRuntime(toEntityModel(e)) }));
  const routes = new Map<string, Route>();
  for (const { config: e, runtime } of entities) {
    for (const side of ['a', 'b'] as const) {
      const source = e.sources[side];
      routes.set(source.topic, { kind: 'changes', entity: runtime, side, decode: await decoderFor(source, config) });
      if (source.heartbeatTopic) routes.set(source.heartbeatTopic, { kind: 'heartbeat', side, decode: heartbeatDecoder() });
    }
  }

  const admin: Admin = kafka.admin();
  await admin.connect();
  const topicLayout: TopicLayout = {
    sides: (name) => {
      const e = config.entities.find((x) => x.name === name)!;
      return { a: e.sources.a, b: e.sources.b } as Record<Side, { topic: string; heartbeatTopic?: string }>;
    },
    offsets: async (topic) => (await admin.fetchTopicOffsets(topic).catch(() => [])).map(({ partition, high, low }) => ({ partition, high, low })),
  };


  // Create the output topics up front (with the broker's defaults) rather than on the first send,
  // which kafkajs reports as an error before its retry succeeds.
  const existingTopics = new Set(await admin.listTopics());
  const outputs = [config.topics.mismatches, config.topics.deadLetter].filter((t) => !existingTopics.has(t));
  if (outputs.length) await admin.createTopics({ topics: outputs.map((topic) => ({ topic })), waitForLeaders: true }).catch(() => undefined);

  const mismatchSink = new KafkaMismatchSink(kafka, config.topics.mismatches);
  const deadLetters = new KafkaDeadLetterSink(kafka, config.topics.deadLetter);
  await Promise.all([mismatchSink.start(), deadLetters.start()]);
  const countingSink: MismatchSink = {
    publish: async (events: readonly MismatchEvent[]) => {
      await mismatchSink.publish(events);
      for (const e of events) {
        (e.type === 'opened' ? metrics.mismatchesOpened : metrics.mismatchesResolved).inc({ kind: e.kind, entity: e.entity });
      }
    },
  };

  const ingestor = new Ingestor({
    routes,
    store,
    meta,
    deadLetters,
    metrics,
    log: log.child({ component: 'ingestor' }),
    onTruncate: async (entity, side, provenance) => {
      // The rows are gone without per-row events: the state cannot follow, so say so loudly and
      // leave a mark for the batch audit rather than guess (B6).
      await redis.set(entityKeys(prefix, entity).truncated, JSON.stringify({ side, at: new Date().toISOString(), ...provenance }));
      log.error({ entity, side, ...provenance }, 'truncate seen: the entity needs a full batch audit');
    },
  });
  const source = new KafkaChangeSource(
    kafka,
    ingestor,
    (reports) => watermarkStore.record(reports, Date.now()),
    {
      groupId: config.kafka.groupId,
      topics: [...routes.keys()],
      partitionsConsumedConcurrently: 4,
      progressIntervalMs: PROGRESS_INTERVAL_MS,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    },
    log.child({ component: 'consumer' }),
    async (gap) => {
      const route = routes.get(gap.topic);
      const labels = route?.kind === 'changes' ? { side: route.side, entity: route.entity.name } : { side: route?.side ?? 'a', entity: '' };
      metrics.offsetGaps.inc(labels);
      // The lost messages' business days are unknown: record the source-time span around the gap
      // (from the partition's last watermark to now) for the batch audit to re-check.
      const progress = (await watermarkStore.all()).get(gap.topic)?.get(gap.partition);
      await redis.rpush(
        offsetGapsKey(prefix),
        JSON.stringify({ ...gap, ...labels, afterSourceTsMs: progress?.maxTsMs ?? 0, detectedAt: new Date().toISOString() }),
      );
    },
  );

  const judgedSources: JudgedEntitySource[] = entities.map(({ config: e, runtime }) => ({
    name: e.name,
    judged: async () => {
      await runtime.compile(meta);
      if (!runtime.ready) return undefined;
      return {
        name: e.name,
        layout: runtime.layout,
        hashedColumns: runtime.hashedColumns,
        amounts: e.amounts,
        tolerances: {
          count: tolerance(e.tolerances.count.absolute, e.tolerances.count.percent),
          sums: e.amounts.map((a) => tolerance(e.tolerances.sums.absolute, e.tolerances.sums.percent, a.scale)),
        },
      };
    },
  }));
  const judge = new Judge(
    {
      store,
      judgeStore,
      entities: judgedSources,
      watermarks: {
        read: async (entity) => {
          const wm = await watermarkStore.watermarks(entity, topicLayout);
          metrics.watermark.set({ side: 'a', entity }, wm.a / 1000);
          metrics.watermark.set({ side: 'b', entity }, wm.b / 1000);
          return wm;
        },
      },
      sink: countingSink,
      clock: systemClock,
      log: log.child({ component: 'judge' }),
    },
    {
      graceMs: config.graceMs,
      intervalMs: config.judgeIntervalMs,
      instanceId: `${config.kafka.clientId}-${randomUUID()}`,
      presentKey: keyPresenter(config.keys.mode, config.keys.hmacSecret),
    },
  );

  const http = new HttpServer(
    registry,
    [
      { name: 'consumer', check: async () => source.ready },
      { name: 'redis', check: async () => (await redis.ping()) === 'PONG' },
      { name: 'kafka', check: async () => (await admin.describeCluster()).brokers.length > 0 },
    ],
    config.http.host,
    config.http.port,
  );
  await http.start();
  await source.start();
  await judge.start();
  log.info({ httpPort: http.boundPort, entities: config.entities.map((e) => e.name) }, 'reconciler running');

  return {
    httpPort: http.boundPort,
    stop: async () => {
      await judge.stop();
      await source.stop();
      await Promise.all([mismatchSink.stop(), deadLetters.stop(), admin.disconnect()]);
      await http.stop();
      redis.disconnect();
      log.info('reconciler stopped');
    },
  };
}
