import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { expect, test } from 'vitest';
import { stack, uniqueName } from '../harness/resources.ts';

test('@kafkajs/confluent-schema-registry registers an Avro schema in the registry, encodes and decodes', async () => {
  const registry = new SchemaRegistry({ host: stack().schemaRegistryUrl });
  const name = uniqueName('Order');
  const schema = {
    type: 'record',
    name,
    namespace: 'test.recon',
    fields: [
      { name: 'order_id', type: 'long' },
      { name: 'customer_email', type: 'string' },
      { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
      { name: 'status', type: ['null', 'string'], default: null },
    ],
  };
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
    { subject: `${name}-value` },
  );
  expect(id).toBeGreaterThan(0);

  const record = { order_id: 1234567890123, customer_email: 'a@example.test', amount: Buffer.from([0x04, 0xd2]), status: 'paid' };
  const encoded = await registry.encode(id, record);
  // Confluent wire format: magic byte 0, then the 4-byte schema id, then the Avro body.
  expect(encoded[0]).toBe(0);
  expect(encoded.readInt32BE(1)).toBe(id);

  const decoded = (await registry.decode(encoded)) as typeof record;
  expect(decoded.customer_email).toBe('a@example.test');
  expect(decoded.status).toBe('paid');
  expect(Buffer.from(decoded.amount)).toEqual(Buffer.from([0x04, 0xd2]));
});
