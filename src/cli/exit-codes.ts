/**
 * Exit codes of the `cdc-reconciler` command, stable so that scripts can branch on them.
 * They follow the BSD sysexits convention where one fits.
 */
export const ExitCode = {
  /** Done; for checking commands: the sides agree. */
  ok: 0,
  /** Done, and the sides disagree (drift found, a verification failed). */
  drift: 1,
  /** The command line is wrong: unknown command or option, a missing argument. */
  usage: 64,
  /** A needed service (Kafka, Redis, Postgres) could not be reached. */
  unavailable: 69,
  /** An unexpected internal error. */
  software: 70,
  /** The configuration is invalid; the message names the field and the rule. */
  config: 78,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
