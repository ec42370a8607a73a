/**
 * A small fuzzing sample on PGlite (the full 10,000 per endpoint runs on PostgreSQL in
 * fuzz.postgres.test.ts): the same generators, fixed seeds.
 */
import { describe } from 'vitest';
import { testDbKind } from '../helpers/test-db.ts';
import { defineFuzzSuite } from './fuzz-suite.ts';

describe.skipIf(testDbKind !== 'pglite')('fuzzing (sample, PGlite)', () => {
  defineFuzzSuite({ publicRuns: 100, staffRuns: 4, concurrency: 4, timeoutMs: 60_000 });
});
