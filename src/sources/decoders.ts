/**
 * Chooses each source's decoder from the configuration; Avro sources share one schema-registry
 * client (its schema cache then serves every topic).
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { ReconcilerConfig, SourceConfig } from '../config/index.ts';
import { AVRO_BIGINT_OPTIONS, ConfluentSchemaDecoder } from './decode/avro.ts';
import { type Decode, createDecoder, decodeHeartbeat } from './decode/index.ts';

let registryDecoder: ConfluentSchemaDecoder | undefined;

function schemaDecoder(config: ReconcilerConfig): ConfluentSchemaDecoder {
  const r = config.schemaRegistry;
  if (!r) throw new Error('schemaRegistry must be configured for debezium-avro sources');
  registryDecoder ??= new ConfluentSchemaDecoder({
    host: r.url,
    registry: new SchemaRegistry(
      { host: r.url, ...(r.username ? { auth: { username: r.username, password: r.password ?? '' } } : {}) },
      AVRO_BIGINT_OPTIONS,
    ),
  });
  return registryDecoder;
}

export async function decoderFor(source: SourceConfig, config: ReconcilerConfig): Promise<Decode> {
  if (source.format === 'debezium-avro') return createDecoder('debezium-avro', { schemaDecoder: schemaDecoder(config) });
  return createDecoder(source.format);
}

export function heartbeatDecoder(): Decode {
  return (record) => decodeHeartbeat(record);
}
