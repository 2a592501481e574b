import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The repo root, with a trailing slash. */
const root = fileURLToPath(new URL('./', import.meta.url));

export default defineConfig({
  resolve: { alias: [{ find: /^@\//, replacement: root }] },
  test: {
    environment: 'node',
    include: ['tests/unit/**/*.test.ts', 'tests/relay/**/*.test.ts', 'tests/sdk/**/*.test.ts', 'tests/contract/**/*.test.ts', 'tests/mlflow-io/**/*.test.ts', 'tests/projects/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Files run in parallel in forked processes (relay tests open real sockets and SQLite files); two at a time keeps
    // memory sane on a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
