import { startReconciler } from '../app.ts';
import type { Command } from './command.ts';
import { configOption, guarded, loadConfigFrom, parseOptions, stderrLogger } from './common.ts';
import { ExitCode } from './exit-codes.ts';

export const runCommand: Command = {
  name: 'run',
  summary: 'run the reconciler service (consume both sides, keep state, publish mismatches)',
  usage: [
    'Usage: cdc-reconciler run [--config FILE]',
    '',
    'Runs until SIGTERM or SIGINT, then drains: stops fetching, finishes the batches in hand, commits',
    'their offsets and leaves the consumer group. Several instances with the same kafka.groupId and',
    'Redis share the work.',
    '',
    'Options:',
    '  -c, --config FILE  the YAML configuration (default: $RECON_CONFIG); every field can also be',
    '                     set by a RECON_* environment variable (docs/configuration.md)',
  ].join('\n'),
  run: (argv, io) =>
    guarded(io, async () => {
      const options = parseOptions(argv, configOption);
      const config = loadConfigFrom(options.config);
      const log = stderrLogger();
      const running = await startReconciler(config, log);
      await new Promise<void>((resolve) => {
        const onSignal = (signal: NodeJS.Signals) => {
          log.info({ signal }, 'draining');
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          resolve();
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
      });
      await running.stop();
      return ExitCode.ok;
    }),
};
