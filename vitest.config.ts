import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/setup/sequencer.ts';

// Four projects run in one `npm test` (test/setup/run-tests.ts runs tsc alongside):
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
    // Files run project by project, longest first (test/setup/sequencer.ts): the two workers end together.
    sequence: { seed: 20261122, sequencer: LongestFirstSequencer },
    // Opt-in per-file CPU times (CENTRALE_TEST_CPU_LOG=file), for tuning the suite's duration.
    setupFiles: ['test/setup/cpu-log.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // PGlite costs ~800 MB and ~3 s per instance: two workers match the two CI cores.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/core/**/*.test.ts', 'test/locales/**/*.test.ts', 'test/config.test.ts'],
          env: { CENTRALE_TEST_PROJECT: 'unit' },
          // Pure functions without mocks or globals: one worker process serves many files, which
          // saves loading the modules again for each of the ~40 files (about 60% of their CPU time).
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'pglite',
          include: integration,
          exclude: [...browser, ...postgresOnly],
          env: { CENTRALE_TEST_DB: 'pglite', CENTRALE_TEST_PROJECT: 'pglite' },
          // One worker runs file after file with its modules loaded (and PGlite's WebAssembly
          // compiled) once: loading them again per file was a quarter of the suite's time. Each
          // file still gets its own database and app (test/helpers/test-app.ts), and the
          // sequencer keeps a project's files together so that the worker is reused.
          isolate: false,
          // Migrated + seeded PGlite templates built once per run and shared with the browser
          // project (test/setup/db-templates.ts, pglite-global-setup.ts).
          globalSetup: ['test/setup/pglite-global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: [...integration, ...postgresOnly],
          exclude: browser,
          env: { CENTRALE_TEST_DB: 'postgres', CENTRALE_TEST_PROJECT: 'postgres' },
          isolate: false, // as for pglite
          globalSetup: ['test/setup/postgres-global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: browser,
          env: { CENTRALE_TEST_DB: 'pglite', CENTRALE_TEST_PROJECT: 'browser' },
          isolate: false, // as for pglite
          globalSetup: ['test/setup/pglite-global-setup.ts'],
        },
      },
    ],
  },
});
