// Lint: typescript-eslint's recommended rules, plus the one architectural rule that matters most:
// the pure core (domain types, normalisation and hashing, comparison, planning) imports no adapter,
// so it stays testable without any server.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const adapterPackages = ['kafkajs', '@kafkajs/*', 'ioredis', 'pg', 'pg-*', 'prom-client', 'pino', 'node:net', 'node:http', 'node:child_process'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.stack/', 'coverage/', 'stack/target/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly', AbortSignal: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/domain/**', 'src/normalize/**', 'src/compare/**', 'src/backfill/planner/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: adapterPackages, message: 'The pure core imports no adapter; pass plain data in.' }] },
      ],
    },
  },
);
