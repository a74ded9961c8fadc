import { defineConfig } from 'vitest/config';

// Tests that need a real PostgreSQL server (outages, several instances) run only when
// DATABASE_URL names one; every other test runs on both databases.
const include = ['src/**/*.test.ts', 'test/**/*.test.ts'];
// Tests of limits shared through Redis run when REDIS_TEST_URL names a server (.ci/run sets it).
const exclude = [...(process.env.DATABASE_URL ? [] : ['test/postgres/**']), ...(process.env.REDIS_TEST_URL ? [] : ['test/redis/**'])];

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
