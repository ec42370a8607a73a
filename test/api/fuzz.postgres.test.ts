/**
 * Fuzzing at full size on PostgreSQL: 10,000 generated requests per public endpoint and 500 per
 * staff route of /openapi.json (see fuzz-suite.ts for the generators and the checks).
 */
import { describe } from 'vitest';
import { postgresSkipped } from '../helpers/test-db.ts';
import { defineFuzzSuite } from './fuzz-suite.ts';

describe.skipIf(postgresSkipped)('fuzzing (full, PostgreSQL)', () => {
  // FUZZ_PUBLIC_RUNS / FUZZ_STAFF_RUNS scale a local run down; CI runs the full size.
  defineFuzzSuite({
    publicRuns: Number(process.env.FUZZ_PUBLIC_RUNS ?? 10_000),
    staffRuns: Number(process.env.FUZZ_STAFF_RUNS ?? 500),
    concurrency: 8,
    timeoutMs: 900_000,
  });
});
