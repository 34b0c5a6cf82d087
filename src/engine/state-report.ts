/**
 * Read-only views of the state for the `status` and `diff` commands.
 */
import type { OpenRecord } from '../compare/mismatch-factory.ts';
import { dayToIso } from '../normalize/days.ts';
import { formatScaled, u64Hex } from '../domain/limbs.ts';
import type { JudgeStore } from '../state/redis/judge-store.ts';
import type { RedisStateStore } from '../state/redis/redis-state-store.ts';
import { NO_DAY } from './ingestor.ts';

export interface DayStatus {
  day: string;
  count: { a: string; b: string };
  sums: { column: string; a: string; b: string }[];
  digestEqual: boolean;
  /** match / mismatch: judged and settled; unsettled: differences in flight; pending: not judged yet. */
  verdict: 'match' | 'mismatch' | 'unsettled' | 'pending';
  openDayMismatches: string[];
  openKeyMismatches: number;
}

export interface EntityStatus {
  entity: string;
  days: DayStatus[];
  undecidedKeys: number;
  openKeyMismatches: number;
}

export function dayLabel(day: number | null): string {
  return day === null || day === NO_DAY ? 'none' : dayToIso(day);
}

export async function openKeyRecords(judgeStore: JudgeStore, entity: string): Promise<OpenRecord[]> {
  const records: OpenRecord[] = [];
  for (let shard = 0; shard < judgeStore.shards; shard++) {
    for (const json of Object.values(await judgeStore.openKeys(entity, shard))) records.push(JSON.parse(json) as OpenRecord);
  }
  return records;
}

export async function entityStatus(
  store: RedisStateStore,
  judgeStore: JudgeStore,
  entity: string,
  amounts: readonly { column: string; scale: number }[],
): Promise<EntityStatus> {
  const [a, b, verdicts, openKeys, undecidedKeys] = await Promise.all([
    store.dayAggregates(entity, 'a', amounts.length),
    store.dayAggregates(entity, 'b', amounts.length),
    judgeStore.dayVerdicts(entity),
    openKeyRecords(judgeStore, entity),
    judgeStore.undecidedCount(entity),
  ]);
  const openByDay = new Map<number | null, number>();
  for (const r of openKeys) openByDay.set(r.day, (openByDay.get(r.day) ?? 0) + 1);
  const days = [...new Set([...a.keys(), ...b.keys(), ...verdicts.keys()])].sort((x, y) => x - y);
  return {
    entity,
    undecidedKeys,
    openKeyMismatches: openKeys.length,
    days: days.map((day) => {
      const da = a.get(day);
      const db = b.get(day);
      const verdict = verdicts.has(day) ? (JSON.parse(verdicts.get(day)!) as { status: DayStatus['verdict']; open: Record<string, OpenRecord> }) : undefined;
      return {
        day: dayLabel(day),
        count: { a: (da?.count ?? 0n).toString(), b: (db?.count ?? 0n).toString() },
        sums: amounts.map((m, i) => ({
          column: m.column,
          a: formatScaled(da?.sums[i] ?? 0n, m.scale),
          b: formatScaled(db?.sums[i] ?? 0n, m.scale),
        })),
        digestEqual: u64Hex(da?.digest ?? 0n) === u64Hex(db?.digest ?? 0n),
        verdict: verdict?.status ?? 'pending',
        openDayMismatches: Object.values(verdict?.open ?? {}).map((r) => (r.columns.length ? `${r.kind}(${r.columns.join(',')})` : r.kind)),
        openKeyMismatches: openByDay.get(day) ?? 0,
      };
    }),
  };
}
