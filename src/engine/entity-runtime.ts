/**
 * One entity as the running engine needs it: its model, its normaliser (compiled once the hashed
 * columns are known), and the layout of its packed state. With `hash: all`, the hashed columns are
 * the columns of the first row seen, fixed in Redis for every instance and every later run: a
 * column added later on one side is then ignored rather than flooding mismatches (B11).
 */
import type { RawRow } from '../domain/change.ts';
import type { EntityModel } from '../domain/entity.ts';
import type { StateLayout } from '../domain/state.ts';
import { type RowNormalizer, compileEntity } from '../normalize/index.ts';

/** Where an entity's fixed column list and state layout are kept (Redis in production). */
export interface EntityMetaStore {
  /** Sets the value if absent and returns the value now stored. */
  setOnce(entity: string, what: 'columns' | 'layout', value: string): Promise<string>;
}

export class EntityRuntime {
  readonly model: EntityModel;
  private normalizer: RowNormalizer | undefined;
  private layoutValue: StateLayout | undefined;
  private compiling: Promise<void> | undefined;

  constructor(model: EntityModel) {
    this.model = model;
  }

  get name(): string {
    return this.model.name;
  }

  get ready(): boolean {
    return this.normalizer !== undefined;
  }

  get rowNormalizer(): RowNormalizer {
    if (!this.normalizer) throw new Error(`entity ${this.name} is not compiled yet`);
    return this.normalizer;
  }

  get layout(): StateLayout {
    if (!this.layoutValue) throw new Error(`entity ${this.name} is not compiled yet`);
    return this.layoutValue;
  }

  /**
   * Compiles the normaliser, using `firstRow`'s columns when the hashed columns are `all` and no
   * instance has fixed them yet. Throws when the stored layout differs from this configuration's:
   * the state was written under another shape and must be rebuilt, not misread.
   */
  async compile(meta: EntityMetaStore, firstRow?: RawRow): Promise<void> {
    if (this.normalizer) return;
    this.compiling ??= this.doCompile(meta, firstRow).finally(() => (this.compiling = undefined));
    await this.compiling;
  }

  private async doCompile(meta: EntityMetaStore, firstRow?: RawRow): Promise<void> {
    let columns: string[];
    if (this.model.hashColumns === 'all') {
      if (!firstRow) return;
      const seen = Object.keys(firstRow.values).sort();
      columns = JSON.parse(await meta.setOnce(this.name, 'columns', JSON.stringify(seen))) as string[];
    } else {
      columns = [...this.model.hashColumns];
    }
    const normalizer = compileEntity(this.model, columns);
    const hashed = normalizer.hashedColumns;
    const layout: StateLayout = {
      amounts: this.model.amounts.length,
      toast: this.model.toastColumns.length,
      columns: hashed.length,
      toastColumnIndex: this.model.toastColumns.map((c) => hashed.indexOf(c)),
    };
    if (layout.toastColumnIndex.some((i) => i < 0)) {
      throw new Error(`entity ${this.name}: every columns.toast column must be hashed`);
    }
    const wanted = JSON.stringify({ ...layout, hashed });
    const stored = await meta.setOnce(this.name, 'layout', wanted);
    if (stored !== wanted) {
      throw new Error(
        `entity ${this.name}: the state in Redis was written with another column layout (${stored}); ` +
          `this configuration needs ${wanted}. Rebuild the state (new redis.keyPrefix or delete the entity's keys) and re-read the topics.`,
      );
    }
    this.layoutValue = layout;
    this.normalizer = normalizer;
  }
}
