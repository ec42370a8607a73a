/**
 * Databases for the benchmarks, started by the bench itself: in-memory PGlite, and a throwaway
 * PostgreSQL cluster (the same one the test suite uses), each migrated with the admin account.
 */
import { openDatabase, type Database } from '../db/client.ts';
import { prepareDatabase } from '../db/startup.ts';
import { startPostgresCluster, type PostgresCluster } from '../test/helpers/postgres-cluster.ts';

export const BENCH_ADMIN_PASSWORD = 'bench-admin-password';

export interface BenchTarget {
  kind: 'pglite' | 'postgres';
  database: Database;
  close(): Promise<void>;
}

export async function openBenchTarget(kind: 'pglite' | 'postgres', cluster?: PostgresCluster): Promise<BenchTarget> {
  const database =
    kind === 'pglite' ? await openDatabase({ kind: 'pglite', dataDir: undefined }) : await openDatabase({ kind: 'postgres', url: cluster!.url });
  await prepareDatabase(database.db, { adminPassword: BENCH_ADMIN_PASSWORD, demoData: true });
  return { kind, database, close: () => database.close() };
}

export { startPostgresCluster };
