/**
 * The SchemaDecoder adapter over @kafkajs/confluent-schema-registry (the only file of the decoders
 * that talks to a registry). Values are decoded by the library's `decode`; column hints come from the
 * writer schema's JSON text, fetched once per schema id.
 *
 * Avro longs beyond 2^53: avsc, which the library uses, throws "potential precision loss" for them by
 * default, so a Postgres LSN or a bigint key above 2^53 would be undecodable. The registry client is
 * therefore created with a `typeHook` that replaces every `long` by a custom long type
 * (avsc's `LongType.__with`): numbers inside ±(2^53 − 1), bigint outside, exact either way; it also
 * encodes bigints. A registry client passed in must be created with AVRO_BIGINT_OPTIONS to get this.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avsc from 'avsc';
import type { ColumnHint } from '../../domain/change.ts';
import { rowHintsFromAvroSchema } from './avro-hints.ts';
import { type SchemaDecoder, SchemaRegistryUnavailableError } from './types.ts';

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

function isLong(value: unknown): value is number | bigint {
  return (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'bigint' && value >= MIN_LONG && value <= MAX_LONG);
}

/** An Avro long read as a number when safe, a bigint otherwise; writes either. */
export const BIGINT_LONG_TYPE = avsc.types.LongType.__with({
  fromBuffer(buffer: Buffer): number | bigint {
    const n = buffer.readBigInt64LE(0);
    return n >= MIN_SAFE && n <= MAX_SAFE ? Number(n) : n;
  },
  toBuffer(value: number | bigint): Buffer {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64LE(BigInt(value));
    return buffer;
  },
  fromJSON(value: unknown): number | bigint {
    if (typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value))) return value;
    return BigInt(value as string);
  },
  toJSON(value: number | bigint): number | string {
    return typeof value === 'number' ? value : value.toString();
  },
  isValid: isLong,
  compare(a: number | bigint, b: number | bigint): number {
    return a < b ? -1 : a > b ? 1 : 0;
  },
});

/** avsc `typeHook`: every `long` (by name or as `{"type": "long", ...}`) becomes BIGINT_LONG_TYPE. */
export function bigintLongTypeHook(schema: unknown): avsc.Type | undefined {
  if (schema === 'long') return BIGINT_LONG_TYPE;
  if (schema !== null && typeof schema === 'object' && !Array.isArray(schema) && (schema as { type?: unknown }).type === 'long') {
    return BIGINT_LONG_TYPE;
  }
  return undefined;
}

/** Options for `new SchemaRegistry(args, AVRO_BIGINT_OPTIONS)` so that it decodes longs exactly. */
export const AVRO_BIGINT_OPTIONS = { [SchemaType.AVRO]: { typeHook: bigintLongTypeHook } };

export interface ConfluentSchemaDecoderOptions {
  /** Confluent-compatible registry base URL, e.g. `http://127.0.0.1:8081/apis/ccompat/v7`. */
  host: string;
  /** Basic auth for the registry (used by the default client and by the schema-text lookup). */
  auth?: { username: string; password: string };
  /** A registry client to share; create it with AVRO_BIGINT_OPTIONS. Default: one made from `host` and `auth`. */
  registry?: SchemaRegistry;
  /** Reads a writer schema's JSON text by id; default `GET {host}/schemas/ids/{id}` with `fetch`. */
  fetchSchemaText?: (schemaId: number) => Promise<string>;
}

/** HTTP statuses that say "ask again later" (or fix the credentials), not "this message is bad". */
function unavailableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408 || status === 401 || status === 403;
}

/** The client library reports network failures as status 400 with the socket error in the message. */
const NETWORK_FAILURE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|socket hang up|timed? ?out/i;

/** Whether a rejection of the library's `decode` is the registry's (retry) rather than the message's (dead-letter). */
export function registryUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number') return unavailableStatus(status) || (status === 400 && NETWORK_FAILURE.test(error.message));
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'string' && NETWORK_FAILURE.test(code)) || error.name === 'AbortError' || error.name === 'TimeoutError';
}

/** Time one schema lookup may take; the registry answers in milliseconds. */
const SCHEMA_FETCH_TIMEOUT_MS = 10_000;

export class ConfluentSchemaDecoder implements SchemaDecoder {
  readonly registry: SchemaRegistry;
  private readonly fetchSchemaText: (schemaId: number) => Promise<string>;
  private readonly hints = new Map<number, Promise<Record<string, ColumnHint> | undefined>>();

  constructor(options: ConfluentSchemaDecoderOptions) {
    const host = options.host.replace(/\/+$/, '');
    const auth = options.auth;
    this.registry = options.registry ?? new SchemaRegistry(auth ? { host, auth } : { host }, AVRO_BIGINT_OPTIONS);
    const headers: Record<string, string> = auth
      ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
      : {};
    this.fetchSchemaText =
      options.fetchSchemaText ??
      (async (schemaId) => {
        let response: Response;
        try {
          response = await fetch(`${host}/schemas/ids/${schemaId}`, { headers, signal: AbortSignal.timeout(SCHEMA_FETCH_TIMEOUT_MS) });
        } catch (error) {
          throw new SchemaRegistryUnavailableError(`schema registry unreachable reading schema id ${schemaId}`, { cause: error });
        }
        if (!response.ok) {
          const message = `schema registry: HTTP ${response.status} reading schema id ${schemaId}`;
          throw unavailableStatus(response.status) ? new SchemaRegistryUnavailableError(message) : new Error(message);
        }
        const body = (await response.json()) as { schema?: unknown };
        if (typeof body.schema !== 'string') throw new Error(`schema registry: no schema text for id ${schemaId}`);
        return body.schema;
      });
  }

  async decode(framed: Buffer): Promise<unknown> {
    try {
      return await this.registry.decode(framed);
    } catch (error) {
      if (!registryUnavailable(error)) throw error;
      throw new SchemaRegistryUnavailableError(`schema registry unavailable while decoding schema id ${framed.readInt32BE(1)}`, {
        cause: error,
      });
    }
  }

  /** Cached per schema id; a failed lookup is forgotten so that the next message retries it. */
  rowHints(schemaId: number): Promise<Record<string, ColumnHint> | undefined> {
    let pending = this.hints.get(schemaId);
    if (pending === undefined) {
      pending = this.fetchSchemaText(schemaId).then((text) => rowHintsFromAvroSchema(JSON.parse(text)));
      pending.catch(() => this.hints.delete(schemaId));
      this.hints.set(schemaId, pending);
    }
    return pending;
  }
}
