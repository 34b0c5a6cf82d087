/**
 * Why a batch audit could not run. Each error has a stable code (tests and the CLI branch on it),
 * a `retriable` flag (a database that did not answer may answer later; a missing column will not
 * appear by itself) and the underlying `cause`. Messages name the side, the table and the column,
 * never a row value, a password or a connection URL.
 */

export const AUDIT_ERROR_CODES = [
  /** The entity is not in the configuration. */
  'RECON_AUDIT_NO_ENTITY',
  /** A side of the entity has no `sources.<side>.database` section. */
  'RECON_AUDIT_NO_DATABASE',
  /** The table is not in the catalogue (or not visible to the audit's role). */
  'RECON_AUDIT_NO_TABLE',
  /** A configured column (key, business day, amount, hashed) is not a column of the table. */
  'RECON_AUDIT_NO_COLUMN',
  /** A column's type does not fit its role (a text business day, a float amount). */
  'RECON_AUDIT_COLUMN_TYPE',
  /** An amount value has more fraction digits than the configured scale: the sums cannot be exact. */
  'RECON_AUDIT_SCALE',
  /** The database URL cannot be parsed. */
  'RECON_AUDIT_BAD_URL',
  /** A file named by the database's TLS settings cannot be read. */
  'RECON_AUDIT_TLS_FILE',
  /** The database could not be reached, refused the login, or failed the TLS verification. */
  'RECON_AUDIT_UNAVAILABLE',
  /** The server cannot compute the canonical forms (not UTF8, older than Postgres 13, extra_float_digits < 1). */
  'RECON_AUDIT_UNSUPPORTED_SERVER',
  /** Two statements over one snapshot disagree (e.g. the count query and the digest query): a bug. */
  'RECON_AUDIT_INCONSISTENT',
] as const;
export type AuditErrorCode = (typeof AUDIT_ERROR_CODES)[number];

/** Codes that mean: the configuration does not fit the databases (the CLI exits with 78). */
export const AUDIT_CONFIG_CODES: ReadonlySet<AuditErrorCode> = new Set([
  'RECON_AUDIT_NO_DATABASE',
  'RECON_AUDIT_NO_TABLE',
  'RECON_AUDIT_NO_COLUMN',
  'RECON_AUDIT_COLUMN_TYPE',
  'RECON_AUDIT_SCALE',
  'RECON_AUDIT_BAD_URL',
  'RECON_AUDIT_TLS_FILE',
]);

export class AuditError extends Error {
  override readonly name = 'AuditError';
  readonly code: AuditErrorCode;
  readonly retriable: boolean;

  constructor(code: AuditErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable ?? code === 'RECON_AUDIT_UNAVAILABLE';
  }
}
