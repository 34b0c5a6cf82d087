import { defineConfig } from 'vitest/config';

/**
 * Three tiers by file suffix: `*.test.ts` pure and fast (no services); `*.int.test.ts` against real
 * services; `*.e2e.test.ts` across the whole pipeline with Debezium. The two service tiers share one
 * global set-up that finds or starts the stack (test/harness/global-setup.ts).
 */
const serviceTier = {
  globalSetup: ['test/harness/global-setup.ts'],
  testTimeout: 120_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    // The JSON report lets scripts (.ci/run) print a one-line summary of what ran.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: { name: 'integration', include: ['test/**/*.int.test.ts'], ...serviceTier },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.test.ts'],
          ...serviceTier,
          // Debezium tests share one Connect worker and one Postgres: run their files one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
