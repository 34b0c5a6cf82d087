import { isoToDay } from '../normalize/days.ts';
import { dayLabel, openKeyRecords } from '../engine/state-report.ts';
import type { Command } from './command.ts';
import { CliExit, configOption, guarded, loadConfigFrom, parseOptions, renderTable, selectEntities, withStateStores } from './common.ts';
import { ExitCode } from './exit-codes.ts';

export const diffCommand: Command = {
  name: 'diff',
  summary: 'the open key mismatches of one entity and business day',
  usage: [
    'Usage: cdc-reconciler diff --entity NAME --day YYYY-MM-DD [--config FILE] [--json]',
    '',
    'Lists the open key-level mismatches (missing on A, missing on B, value mismatch with the names of',
    'the differing columns) of that business day. Keys are shown as the configuration says (HMAC by',
    'default); values never. Exit code 0 when there is none, 1 when there are some.',
    '',
    'Options:',
    '  -e, --entity NAME  the entity',
    '  -d, --day DAY      the business day, YYYY-MM-DD',
    '  -c, --config FILE  the YAML configuration (default: $RECON_CONFIG)',
    '      --json         machine-readable output',
  ].join('\n'),
  run: (argv, io) =>
    guarded(io, async () => {
      const options = parseOptions(argv, {
        ...configOption,
        entity: { type: 'string', short: 'e' },
        day: { type: 'string', short: 'd' },
        json: { type: 'boolean' },
      });
      if (!options.entity || !options.day) throw new CliExit(ExitCode.usage, 'diff needs --entity and --day');
      let day: number;
      try {
        day = isoToDay(options.day);
      } catch (e) {
        throw new CliExit(ExitCode.usage, `--day: ${(e as Error).message}`);
      }
      const config = loadConfigFrom(options.config);
      const [entity] = selectEntities(config, options.entity);
      return withStateStores(config, async ({ judgeStore }) => {
        const records = (await openKeyRecords(judgeStore, entity!.name)).filter((r) => r.day === day);
        records.sort((x, y) => x.firstSeenMs - y.firstSeenMs);
        if (options.json) io.out(JSON.stringify(records, null, 2));
        else {
          io.out(`${entity!.name} ${dayLabel(day)}: ${records.length} open key mismatches`);
          io.out(
            renderTable(
              ['kind', 'key', 'columns', 'first seen', 'id'],
              records.map((r) => [
                r.kind + (r.suppressed ? ' (in missing window)' : ''),
                `${r.key?.mode}:${r.key?.value}`,
                r.columns.join(',') || '-',
                new Date(r.firstSeenMs).toISOString(),
                r.mismatchId,
              ]),
            ),
          );
        }
        return records.length ? ExitCode.drift : ExitCode.ok;
      });
    }),
};
