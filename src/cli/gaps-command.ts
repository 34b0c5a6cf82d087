import { type DayVerdictStatus, type GapReport, decidedByVerdicts, findGaps } from '../backfill/planner/gap-finder.ts';
import { DEFAULT_BATCH_DAYS, DEFAULT_PLANNER_OPTIONS, type WindowPlan, planBackfill } from '../backfill/planner/planner.ts';
import { tolerance } from '../compare/verdicts.ts';
import type { DayAggregate } from '../domain/state.ts';
import { NO_DAY } from '../engine/ingestor.ts';
import { systemClock } from '../engine/ports.ts';
import { dayToIso } from '../normalize/days.ts';
import type { Command } from './command.ts';
import { CliExit, configOption, guarded, loadConfigFrom, parseOptions, renderTable, selectEntities, withStateStores } from './common.ts';
import { ExitCode } from './exit-codes.ts';

/** One entity's open windows and the batches the planner would make of them, as `--json` prints it. */
export interface EntityGaps {
  entity: string;
  windows: {
    from: string;
    to: string;
    days: number;
    rowsMissing: string;
    perDay: { day: string; kind: string; countA: string; countB: string; missing: string }[];
    batches: { id: string; from: string; to: string; days: number; rowsMissing: string; status: string }[];
  }[];
  /** Days that look short on B but are not decided yet (differences in flight, or not judged yet). */
  undecidedDays: string[];
}

export const gapsCommand: Command = {
  name: 'gaps',
  summary: 'the missing or deficient windows of business days on side B, and the backfill batches they would make',
  usage: [
    'Usage: cdc-reconciler gaps [--config FILE] [--entity NAME] [--batch-days N] [--json]',
    '',
    'Reads the per-day counts of both sides and the judge\'s day verdicts in Redis and lists, per entity,',
    'the windows of consecutive decided business days where side B has no rows, or fewer than side A',
    'beyond the count tolerance, with the rows missing, and the batches the backfill planner would make',
    'of them (N days each). It only plans: nothing is written, every batch is shown as a dry run.',
    'Days not decided yet are named but are not part of a window. Exit code 0 when there is no window,',
    '1 when there are some.',
    '',
    'Options:',
    '  -c, --config FILE     the YAML configuration (default: $RECON_CONFIG)',
    '  -e, --entity NAME     only this entity',
    `      --batch-days N    days per backfill batch (default ${DEFAULT_BATCH_DAYS})`,
    '      --json            machine-readable output',
  ].join('\n'),
  run: (argv, io) =>
    guarded(io, async () => {
      const options = parseOptions(argv, {
        ...configOption,
        entity: { type: 'string', short: 'e' },
        'batch-days': { type: 'string' },
        json: { type: 'boolean' },
      });
      const raw = options['batch-days'];
      const batchDays = raw === undefined ? DEFAULT_BATCH_DAYS : /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isSafeInteger(batchDays) || batchDays < 1) {
        throw new CliExit(ExitCode.usage, '--batch-days must be a whole number >= 1');
      }
      const config = loadConfigFrom(options.config);
      const entities = selectEntities(config, options.entity);
      return withStateStores(config, async ({ store, judgeStore }) => {
        const results: EntityGaps[] = [];
        for (const e of entities) {
          const [a, b, verdicts] = await Promise.all([
            store.dayAggregates(e.name, 'a', e.amounts.length),
            store.dayAggregates(e.name, 'b', e.amounts.length),
            judgeStore.dayVerdicts(e.name),
          ]);
          const statuses = new Map<number, DayVerdictStatus>();
          for (const [day, json] of verdicts) statuses.set(day, (JSON.parse(json) as { status: DayVerdictStatus }).status);
          const report = findGaps({
            a: withoutNoDay(a),
            b: withoutNoDay(b),
            decided: decidedByVerdicts(statuses),
            countTolerance: tolerance(e.tolerances.count.absolute, e.tolerances.count.percent),
          });
          // No backfill configuration or batch history exists yet: plan as a dry run, the entity allowed,
          // no size limits, so the batches shown are exactly the N-day cuts of each window.
          const plans = planBackfill({
            entity: e.name,
            windows: report.windows,
            known: [],
            options: { ...DEFAULT_PLANNER_OPTIONS, batchDays, allowlist: [e.name], dryRun: true },
            clock: systemClock,
          });
          results.push(describe(e.name, report, plans));
        }
        if (options.json) io.out(JSON.stringify(results, null, 2));
        else for (const r of results) io.out(text(r));
        return results.some((r) => r.windows.length > 0) ? ExitCode.drift : ExitCode.ok;
      });
    }),
};

/** Rows whose business-day column is NULL have no day a backfill could name. */
function withoutNoDay(days: Map<number, DayAggregate>): Map<number, DayAggregate> {
  days.delete(NO_DAY);
  return days;
}

function describe(entity: string, report: GapReport, plans: WindowPlan[]): EntityGaps {
  return {
    entity,
    windows: report.windows.map((w) => ({
      from: dayToIso(w.fromDay),
      to: dayToIso(w.toDay),
      days: w.days.length,
      rowsMissing: w.rowsMissing.toString(),
      perDay: w.days.map((d) => ({
        day: dayToIso(d.day),
        kind: d.kind,
        countA: d.countA.toString(),
        countB: d.countB.toString(),
        missing: d.missing.toString(),
      })),
      batches: (plans.find((p) => p.fromDay === w.fromDay)?.batches ?? []).map((bt) => ({
        id: bt.id,
        from: dayToIso(bt.fromDay),
        to: dayToIso(bt.toDay),
        days: bt.days.length,
        rowsMissing: bt.rowsMissing.toString(),
        status: bt.status,
      })),
    })),
    undecidedDays: report.undecidedDays.map(dayToIso),
  };
}

function text(r: EntityGaps): string {
  const days = r.windows.reduce((n, w) => n + w.days, 0);
  const rows = r.windows.reduce((n, w) => n + BigInt(w.rowsMissing), 0n);
  const plural = (n: number | bigint, word: string) => `${n} ${word}${n === 1 || n === 1n ? '' : 's'}`;
  const lines = [`${r.entity}: ${plural(r.windows.length, 'open window')}, ${plural(days, 'day')}, ${plural(rows, 'row')} missing on b`];
  if (r.undecidedDays.length > 0) lines.push(`  not decided yet (not in any window): ${r.undecidedDays.join(' ')}`);
  if (r.windows.length > 0) {
    lines.push(
      renderTable(
        ['from', 'to', 'days', 'rows missing', 'batches'],
        r.windows.map((w) => [w.from, w.to, String(w.days), w.rowsMissing, String(w.batches.length)]),
      ),
      '',
      renderTable(
        ['batch', 'from', 'to', 'days', 'rows missing', 'status'],
        r.windows.flatMap((w) => w.batches.map((bt) => [bt.id, bt.from, bt.to, String(bt.days), bt.rowsMissing, bt.status])),
      ),
    );
  }
  return lines.join('\n');
}
