/**
 * The pure normalisation and hashing core (docs/canonical-form.md): canonical values per column
 * type, canonical keys, column and row hashes, day digests. Imports no adapter.
 */
export { NormalizeError, NORMALIZE_ERROR_CODES, type NormalizeErrorCode } from './errors.ts';
export { compileEntity, type CompileOptions, type NormalizedRow, type RowNormalizer } from './row-normalizer.ts';
export {
  canonicalValue,
  canonicalOf,
  hintMeaning,
  inferType,
  isUnavailable,
  resolveType,
  DATE_INFINITY_SENTINELS,
  TIMESTAMP_INFINITY_SENTINELS,
  type ColumnRules,
  type HintMeaning,
} from './canonical.ts';
export { float4Text, float8Text } from './float-text.ts';
export { canonicalDecimal, decimalFromString, decimalFromUnscaled, scaledAmount } from './decimal.ts';
export {
  addHash,
  canonicalKey,
  columnHash,
  fingerprintOf,
  lengthPrefixed,
  octets,
  parseHash,
  subtractHash,
  sumHashes,
} from './hash.ts';
export { ZoneOffsets, zoneOffsets } from './zone-offsets.ts';
export { dayToIso, isoToDay } from './days.ts';
