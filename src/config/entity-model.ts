/**
 * From an entity's configuration to the engine's EntityModel (src/domain/entity.ts): the pure core
 * never sees the configuration's shape, only this.
 */
import type { ColumnSpec, EntityModel, SourceSpec } from '../domain/entity.ts';
import { deepFreeze } from './freeze.ts';
import type { EntityConfig, SourceConfig } from './schema.ts';

export function toEntityModel(entity: EntityConfig): EntityModel {
  const columns: Record<string, ColumnSpec> = {};
  for (const [name, spec] of Object.entries(entity.columns.types)) {
    columns[name] = {
      name,
      type: spec.type,
      ...(spec.scale === undefined ? {} : { scale: spec.scale }),
      ...(spec.unit === undefined ? {} : { unit: spec.unit }),
    };
  }
  return deepFreeze({
    name: entity.name,
    key: [...entity.key],
    dayColumn: entity.businessDay.column,
    timeZone: entity.businessDay.timeZone,
    amounts: entity.amounts.map((a) => ({ column: a.column, scale: a.scale })),
    hashColumns: entity.columns.hash === 'all' ? 'all' : [...entity.columns.hash],
    excludeColumns: [...entity.columns.exclude],
    safeColumns: [...entity.columns.safe],
    columns,
    toastColumns: [...entity.columns.toast],
    decimalHandling: entity.sources.a.decimalHandling,
    sources: { a: toSourceSpec(entity.sources.a), b: toSourceSpec(entity.sources.b) },
    tolerances: {
      count: { absolute: entity.tolerances.count.absolute, percent: entity.tolerances.count.percent },
      sums: { absolute: entity.tolerances.sums.absolute, percent: entity.tolerances.sums.percent },
    },
  });
}

function toSourceSpec(source: SourceConfig): SourceSpec {
  return {
    topic: source.topic,
    format: source.format,
    decimalHandling: source.decimalHandling,
    ...(source.heartbeatTopic === undefined ? {} : { heartbeatTopic: source.heartbeatTopic }),
  };
}
