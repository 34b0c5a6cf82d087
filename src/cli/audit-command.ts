import { AUDIT_CONFIG_CODES, AuditError } from '../audit/audit-error.ts';
import { type BatchAuditReport, runBatchAudit } from '../audit/batch-audit.ts';
import type { AuditDay, PresentedKey } from '../compare/audit-comparison.ts';
import { isoToDay } from '../normalize/days.ts';
import type { Command } from './command.ts';
import { CliExit, configOption, guarded, loadConfigFrom, parseOptions, renderTable } from './common.ts';
import { ExitCode } from './exit-codes.ts';

/** Keys listed per day and kind unless --max-keys says otherwise: enough to start digging, short enough to read. */
const DEFAULT_MAX_KEYS = 10;

export const auditCommand: Command = {
  name: 'audit',
  summary: 'batch audit in SQL against both databases: counts, sums, digests, keys, columns; beside the stream',
  usage: [
    'Usage: cdc-reconciler audit --entity NAME --day YYYY-MM-DD [--to YYYY-MM-DD] [--config FILE]',
    '                            [--json] [--no-stream] [--max-keys N]',
    '',
    "Runs the playbook's reconciliation in SQL directly against both sides' tables",
    '(entities[].sources.a/b.database), read-only, on one snapshot per side: per business day the',
    'row count, the exact sums of the amount columns and the digest of the row hashes; for a day where',
    'they differ, the keys only in A, the keys only in B and the keys whose rows differ, with the names',
    'of the differing columns (values only of columns.safe columns). Beside it, each side\'s streaming',
    'state in Redis, which must equal its SQL bit for bit. Keys are shown as keys.mode says (HMAC by',
    'default). docs/audit.md shows the SQL.',
    '',
    'Exit code 0 when A and B agree and the stream equals SQL on both sides (or was not compared),',
    '1 when they do not; 64 usage error, 69 a database unreachable, 78 configuration or catalogue',
    'problem (no database section, a table or column missing).',
    '',
    'Options:',
    '  -e, --entity NAME  the entity',
    '  -d, --day DAY      the (first) business day, YYYY-MM-DD',
    '      --to DAY       the last business day, inclusive (default: --day)',
    '  -c, --config FILE  the YAML configuration (default: $RECON_CONFIG)',
    '      --json         machine-readable output',
    '      --no-stream    do not read Redis; compare A and B in SQL only',
    `      --max-keys N   keys listed per day and kind (default ${DEFAULT_MAX_KEYS}); counts are always complete`,
  ].join('\n'),
  run: (argv, io) =>
    guarded(io, async () => {
      const options = parseOptions(argv, {
        ...configOption,
        entity: { type: 'string', short: 'e' },
        day: { type: 'string', short: 'd' },
        to: { type: 'string' },
        json: { type: 'boolean' },
        'no-stream': { type: 'boolean' },
        'max-keys': { type: 'string' },
      });
      if (!options.entity || !options.day) throw new CliExit(ExitCode.usage, 'audit needs --entity and --day');
      const fromDay = options.day;
      const toDay = options.to ?? fromDay;
      for (const [flag, value] of [['--day', fromDay], ['--to', toDay]] as const) {
        try {
          isoToDay(value);
        } catch (e) {
          throw new CliExit(ExitCode.usage, `${flag}: ${(e as Error).message}`);
        }
      }
      if (isoToDay(toDay) < isoToDay(fromDay)) throw new CliExit(ExitCode.usage, '--to must not be before --day');
      const maxKeysText = options['max-keys'] ?? String(DEFAULT_MAX_KEYS);
      if (!/^\d{1,7}$/.test(maxKeysText)) throw new CliExit(ExitCode.usage, '--max-keys must be a whole number');
      const config = loadConfigFrom(options.config);
      if (!config.entities.some((e) => e.name === options.entity)) {
        throw new CliExit(ExitCode.usage, `no entity named '${options.entity}' in the configuration`);
      }
      const progress = !options.json && process.stderr.isTTY;
      let report: BatchAuditReport;
      try {
        report = await runBatchAudit(
          config,
          { entity: options.entity, fromDay, toDay, stream: !options['no-stream'], maxKeys: Number(maxKeysText) },
          progress ? { onDay: (day, i, n) => io.err(`comparing the keys of ${day} (day ${i + 1} of ${n})`) } : {},
        );
      } catch (e) {
        if (e instanceof AuditError) throw new CliExit(exitCodeOf(e), e.message);
        throw e;
      }
      if (options.json) io.out(JSON.stringify(report, null, 2));
      else io.out(renderReport(report));
      return report.verdicts.ok ? ExitCode.ok : ExitCode.drift;
    }),
};

function exitCodeOf(e: AuditError): ExitCode {
  if (e.code === 'RECON_AUDIT_NO_ENTITY') return ExitCode.usage;
  if (AUDIT_CONFIG_CODES.has(e.code)) return ExitCode.config;
  if (e.code === 'RECON_AUDIT_UNAVAILABLE' || e.code === 'RECON_AUDIT_UNSUPPORTED_SERVER') return ExitCode.unavailable;
  return ExitCode.software;
}

const keyText = (k: PresentedKey) => `${k.mode}:${k.value}`;
const yesNo = (v: boolean | null) => (v === null ? '-' : v ? 'yes' : 'NO');

const SOURCES = { config: 'columns.hash', stream: "the stream's fixed list", catalogue: "side A's catalogue" } as const;

/** The readable report: a header, one table row per day, then the keys of the days that differ. */
export function renderReport(r: BatchAuditReport): string {
  const streamLine =
    r.stream.status === 'compared'
      ? 'compared with each side\'s SQL'
      : r.stream.status === 'skipped'
        ? 'not compared (--no-stream)'
        : `not compared: Redis unavailable (${r.stream.reason}); SQL only`;
  const lines = [
    `audit of ${r.entity}, ${r.fromDay}${r.toDay === r.fromDay ? '' : ` to ${r.toDay}`}`,
    `  A: ${r.tables.a.table} on ${r.tables.a.database}`,
    `  B: ${r.tables.b.table} on ${r.tables.b.database}`,
    `  hashed columns (${SOURCES[r.hashedColumnsFrom]}): ${r.hashedColumns.join(', ')}`,
    `  stream: ${streamLine}`,
    '',
  ];
  const amounts = Object.keys(r.days[0]?.sql.a.sums ?? {});
  lines.push(
    renderTable(
      [
        'day',
        'count a',
        'count b',
        ...amounts.flatMap((m) => [`${m} a`, `${m} b`]),
        'digest',
        'only in a',
        'only in b',
        'differing columns',
        'stream=sql a',
        'stream=sql b',
      ],
      r.days.map((d) => [
        d.day,
        d.sql.a.count,
        d.sql.b.count,
        ...amounts.flatMap((m) => [d.sql.a.sums[m] ?? '', d.sql.b.sums[m] ?? '']),
        d.digestEqual ? 'equal' : 'DIFFERS',
        String(d.keysOnlyInA.count),
        String(d.keysOnlyInB.count),
        Object.entries(d.valueMismatches.columns)
          .map(([c, n]) => `${c}(${n})`)
          .join(' ') || '-',
        yesNo(d.verdicts.streamAgreesWithSql.a),
        yesNo(d.verdicts.streamAgreesWithSql.b),
      ]),
    ),
  );
  const details = r.days.flatMap(dayDetails);
  if (details.length > 0) lines.push('', ...details);
  const v = r.verdicts;
  const stream =
    v.streamAgreesWithSql.a === null
      ? ''
      : v.streamAgreesWithSql.a && v.streamAgreesWithSql.b
        ? '; the stream equals SQL on both sides'
        : `; the stream DIFFERS from SQL on side ${[v.streamAgreesWithSql.a ? '' : 'A', v.streamAgreesWithSql.b ? '' : 'B'].filter(Boolean).join(' and ')}`;
  lines.push('', `${v.sqlAgrees ? 'A and B agree in SQL' : 'A and B DIFFER in SQL'}${stream}`);
  return lines.join('\n');
}

function dayDetails(d: AuditDay): string[] {
  const out: string[] = [];
  const list = (what: string, count: number, keys: PresentedKey[]) => {
    if (count === 0) return;
    const more = count > keys.length ? ` (first ${keys.length})` : '';
    out.push(`${d.day} ${what}: ${count}${more}`, ...keys.map((k) => `  ${keyText(k)}`));
  };
  list('only in A', d.keysOnlyInA.count, d.keysOnlyInA.keys);
  list('only in B', d.keysOnlyInB.count, d.keysOnlyInB.keys);
  if (d.valueMismatches.count > 0) {
    const shown = d.valueMismatches.keys;
    const more = d.valueMismatches.count > shown.length ? ` (first ${shown.length})` : '';
    out.push(`${d.day} rows that differ: ${d.valueMismatches.count}${more}`);
    for (const m of shown) {
      const safe = Object.entries(m.safeValues ?? {}).map(([c, v]) => `${c}: A ${JSON.stringify(v.a)}, B ${JSON.stringify(v.b)}`);
      out.push(`  ${keyText(m.key)}  ${m.columns.join(', ') || '(columns not determined)'}${safe.length ? `  (${safe.join('; ')})` : ''}`);
    }
  }
  for (const side of ['a', 'b'] as const) {
    if (d.duplicateKeys[side] > 0) out.push(`${d.day} side ${side.toUpperCase()} holds ${d.duplicateKeys[side]} rows whose key appears twice or more`);
  }
  return out;
}
