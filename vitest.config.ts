import { defineConfig } from 'vitest/config';

// Tests that need a real PostgreSQL server (outages, several instances) run only when
// DATABASE_URL names one; every other test runs on both databases.
const include = ['src/**/*.test.ts', 'test/**/*.test.ts'];
const exclude = process.env.DATABASE_URL ? [] : ['test/postgres/**'];

export default defineConfig({
  test: {
    include,
    exclude: [...exclude, 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
