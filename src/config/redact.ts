/**
 * A copy of the configuration fit to print (RELIABILITY.md S4): every secret replaced by
 * `<redacted>`, and the password of any `scheme://user:password@host` URL as well (and a libpq
 * `password=` / `sslpassword=` URL parameter, which Postgres URLs may carry). Secrets are the
 * fields the tree marks `writeOnly`; as a second line of defence, any field whose name ends in
 * `password`, `secret` or `token` is redacted too.
 */
import { secretFields } from './fields.ts';
import { forEachHolder } from './paths.ts';
import type { ReconcilerConfig } from './schema.ts';

export const REDACTED = '<redacted>';

const SECRET_NAME = /(password|secret|token)$/i;
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#@]*@/i;
const LOOKS_LIKE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;
const URL_PASSWORD_PARAMETER = /([?&](?:ssl)?password=)[^&#]*/gi;

export function redactedConfig(config: ReconcilerConfig): ReconcilerConfig {
  const copy = redactDeep(structuredClone(config) as unknown) as ReconcilerConfig;
  for (const { field } of secretFields()) {
    const name = field.segments[field.segments.length - 1] as string;
    forEachHolder(copy, field.segments, (holder) => {
      if (holder[name] !== undefined) holder[name] = REDACTED;
    });
  }
  return copy;
}

function redactDeep(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (SECRET_NAME.test(key)) return REDACTED;
    if (!LOOKS_LIKE_URL.test(value)) return value;
    return value.replace(URL_PASSWORD, `$1:${REDACTED}@`).replace(URL_PASSWORD_PARAMETER, `$1${REDACTED}`);
  }
  if (Array.isArray(value)) return value.map((item) => redactDeep(item));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, k);
    return out;
  }
  return value;
}
