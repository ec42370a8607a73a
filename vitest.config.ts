import { defineConfig } from 'vitest/config';

// Three projects run in one `npm test`:
// - unit: pure core/ rules, no database;
// - pglite / postgres: the same integration tests (HTTP app + real database), once on embedded
//   PGlite and once on a throwaway PostgreSQL 15 cluster that the global setup starts itself;
// - browser: real headless Chromium against the app on PGlite.
const integration = ['test/api/**/*.test.ts', 'test/db/**/*.test.ts', 'test/bot/**/*.test.ts'];
const browser = ['test/**/*.browser.test.ts'];
// Heavy proofs that need a real server (stopping PostgreSQL, two processes, SIGKILL) run only on PostgreSQL.
const postgresOnly = ['test/**/*.postgres.test.ts'];

export default defineConfig({
  test: {
    // Fixed seed so that shuffled orders and generated inputs repeat (fast-check uses its own seeds).
    sequence: { seed: 20261122 },
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // PGlite costs ~800 MB and ~3 s per instance: two workers match the two CI cores.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/core/**/*.test.ts', 'test/locales/**/*.test.ts', 'test/config.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'pglite',
          include: integration,
          exclude: [...browser, ...postgresOnly],
          env: { CENTRALE_TEST_DB: 'pglite' },
          // Migrated + seeded PGlite templates built once per run (test/setup/db-templates.ts).
          globalSetup: ['test/setup/pglite-global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: [...integration, ...postgresOnly],
          exclude: browser,
          env: { CENTRALE_TEST_DB: 'postgres' },
          globalSetup: ['test/setup/postgres-global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: browser,
          env: { CENTRALE_TEST_DB: 'pglite' },
          globalSetup: ['test/setup/pglite-global-setup.ts'],
        },
      },
    ],
  },
});
