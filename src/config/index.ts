/**
 * The reconciler's configuration: one YAML file, overridable by RECON_* environment variables,
 * validated once at start (cross-field rules included), then frozen. See docs/configuration.md.
 */
export { loadConfig, validateConfig, deepMerge, type LoadConfigOptions, type ConfigOverrides } from './load.ts';
export { ConfigError, CONFIG_INVALID, formatIssue, formatPath, type ConfigIssue } from './errors.ts';
export {
  configSchema,
  entitySchema,
  isIanaTimeZone,
  type ReconcilerConfig,
  type ReconcilerConfigInput,
  type EntityConfig,
  type SourceConfig,
  type DatabaseConfig,
} from './schema.ts';
export { redactedConfig, REDACTED } from './redact.ts';
export { toEntityModel } from './entity-model.ts';
export { deepFreeze } from './freeze.ts';
export { configFieldIndex, configJsonSchema, type ConfigField } from './fields.ts';
export { CONFIG_FILE_ENV, ENV_PREFIX } from './env.ts';
export { renderConfigDocs, renderConfigJsonSchema, CONFIG_DOCS_PATH, CONFIG_SCHEMA_PATH } from './docs.ts';
