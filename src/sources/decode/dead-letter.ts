/**
 * Building dead letters. A reason names the field at fault and the rule it broke, and never carries
 * a value from the message (row values are personal data; a JSON parser's own error text quotes the
 * input, so it is never passed on either).
 */
import type { DeadLetter, DeadLetterCode, Provenance } from '../../domain/change.ts';

export function deadLetter(code: DeadLetterCode, reason: string, provenance: Provenance): DeadLetter {
  return { kind: 'dead-letter', code, reason, provenance };
}

export function missingField(field: string, provenance: Provenance): DeadLetter {
  return deadLetter('RECON_DL_MISSING_FIELD', `field "${field}" is missing or null`, provenance);
}

export function badValue(field: string, expected: string, provenance: Provenance): DeadLetter {
  return deadLetter('RECON_DL_BAD_VALUE', `field "${field}" is not ${expected}`, provenance);
}

export function tooLarge(part: 'key' | 'value', bytes: number, maxBytes: number, provenance: Provenance): DeadLetter {
  return deadLetter('RECON_DL_TOO_LARGE', `${part} is ${bytes} bytes, above the limit of ${maxBytes} bytes (maxMessageBytes)`, provenance);
}

export function notJson(part: 'key' | 'value', bytes: number, provenance: Provenance): DeadLetter {
  return deadLetter('RECON_DL_NOT_JSON', `${part} is not valid UTF-8 JSON (${bytes} bytes)`, provenance);
}

/** The last resort for an unexpected exception inside a decoder: the message is dead-lettered, the loop goes on. */
export function internalError(provenance: Provenance): DeadLetter {
  return deadLetter('RECON_DL_BAD_VALUE', 'value could not be decoded (unexpected structure, e.g. nesting too deep)', provenance);
}

export function provenanceOf(record: { topic: string; partition: number; offset: string }): Provenance {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}
