/**
 * One entity as the running engine needs it: its model, its normaliser (compiled once the hashed
 * columns are known), and the layout of its packed state. With `hash: all`, the hashed columns are
 * the columns of the first row seen, fixed in Redis for every instance and every later run: a
 * column added later on one side is then ignored rather than flooding mismatches (B11).
 */
import type { RawRow, Side } from '../domain/change.ts';
import type { EntityModel } from '../domain/entity.ts';
import type { StateLayout } from '../domain/state.ts';
import { type RowNormalizer, compileEntity } from '../normalize/index.ts';

/** Where an entity's fixed column list and state layout are kept (Redis in production). */
export interface EntityMetaStore {
  get(entity: string, what: 'columns' | 'layout'): Promise<string | null>;
  /** Sets the value if absent and returns the value now stored. */
  setOnce(entity: string, what: 'columns' | 'layout', value: string): Promise<string>;
}

export class EntityRuntime {
  readonly model: EntityModel;
  private normalizers: Record<Side, RowNormalizer> | undefined;
  private layoutValue: StateLayout | undefined;
  private compiling: Promise<void> | undefined;

  constructor(model: EntityModel) {
    this.model = model;
  }

  get name(): string {
    return this.model.name;
  }

  get ready(): boolean {
    return this.normalizers !== undefined;
  }

  /** Each side has its own normaliser: the two connectors may encode decimals differently. */
  normalizerFor(side: Side): RowNormalizer {
    if (!this.normalizers) throw new Error(`entity ${this.name} is not compiled yet`);
    return this.normalizers[side];
  }

  get hashedColumns(): readonly string[] {
    return this.normalizerFor('a').hashedColumns;
  }

  get layout(): StateLayout {
    if (!this.layoutValue) throw new Error(`entity ${this.name} is not compiled yet`);
    return this.layoutValue;
  }

  /**
   * Compiles the normaliser, using `firstRow`'s columns when the hashed columns are `all` and no
   * instance has fixed them yet (without a row and without fixed columns it stays uncompiled). Throws when the stored layout differs from this configuration's:
   * the state was written under another shape and must be rebuilt, not misread.
   */
  async compile(meta: EntityMetaStore, firstRow?: RawRow): Promise<void> {
    if (this.normalizers) return;
    this.compiling ??= this.doCompile(meta, firstRow).finally(() => (this.compiling = undefined));
    await this.compiling;
  }

  private async doCompile(meta: EntityMetaStore, firstRow?: RawRow): Promise<void> {
    let columns: string[];
    if (this.model.hashColumns === 'all') {
      const stored = await meta.get(this.name, 'columns');
      if (!stored && !firstRow) return; // nothing seen yet, by any instance
      const fixed = stored ?? (await meta.setOnce(this.name, 'columns', JSON.stringify(Object.keys(firstRow!.values).sort())));
      columns = JSON.parse(fixed) as string[];
    } else {
      columns = [...this.model.hashColumns];
    }
    const normalizers = { a: compileEntity(this.model, columns, { side: 'a' }), b: compileEntity(this.model, columns, { side: 'b' }) };
    const hashed = normalizers.a.hashedColumns;
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
    this.normalizers = normalizers;
  }
}
