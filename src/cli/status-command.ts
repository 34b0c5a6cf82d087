import { entityStatus } from '../engine/state-report.ts';
import type { Command } from './command.ts';
import { configOption, guarded, loadConfigFrom, parseOptions, renderTable, selectEntities, withStateStores } from './common.ts';
import { ExitCode } from './exit-codes.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: 'per entity and business day: counts, sums, digest equality, verdict, open mismatches',
  usage: [
    'Usage: cdc-reconciler status [--config FILE] [--entity NAME] [--json]',
    '',
    'Reads the reconciler\'s state in Redis. Exit code 0 when every judged day matches and no key',
    'mismatch is open, 1 when something is open.',
    '',
    'Options:',
    '  -c, --config FILE  the YAML configuration (default: $RECON_CONFIG)',
    '  -e, --entity NAME  only this entity',
    '      --json         machine-readable output',
  ].join('\n'),
  run: (argv, io) =>
    guarded(io, async () => {
      const options = parseOptions(argv, { ...configOption, entity: { type: 'string', short: 'e' }, json: { type: 'boolean' } });
      const config = loadConfigFrom(options.config);
      const entities = selectEntities(config, options.entity);
      return withStateStores(config, async ({ store, judgeStore }) => {
        const statuses = await Promise.all(entities.map((e) => entityStatus(store, judgeStore, e.name, e.amounts)));
        const drift = statuses.some((s) => s.openKeyMismatches > 0 || s.days.some((d) => d.verdict === 'mismatch'));
        if (options.json) io.out(JSON.stringify(statuses, null, 2));
        else {
          for (const s of statuses) {
            io.out(`${s.entity}: ${s.openKeyMismatches} open key mismatches, ${s.undecidedKeys} differences in flight`);
            const sumHeader = s.days[0]?.sums.flatMap((m) => [`${m.column} a`, `${m.column} b`]) ?? [];
            io.out(
              renderTable(
                ['day', 'count a', 'count b', ...sumHeader, 'digest', 'verdict', 'open'],
                s.days.map((d) => [
                  d.day,
                  d.count.a,
                  d.count.b,
                  ...d.sums.flatMap((m) => [m.a, m.b]),
                  d.digestEqual ? 'equal' : 'DIFFERS',
                  d.verdict,
                  [...d.openDayMismatches, ...(d.openKeyMismatches ? [`${d.openKeyMismatches} keys`] : [])].join(' ') || '-',
                ]),
              ),
            );
          }
        }
        return drift ? ExitCode.drift : ExitCode.ok;
      });
    }),
};
