/**
 * Housekeeping the database does not do by itself. PostgreSQL's autovacuum keeps statistics fresh
 * and reclaims the space of deleted and updated rows; PGlite runs without that background worker,
 * so on PGlite centrale runs VACUUM (ANALYZE) itself, once a night (main.ts). It holds PGlite's only
 * connection for about a second on a small comune's data, hence at night.
 */
import { sql } from 'drizzle-orm';
import type { Database } from './client.ts';

/** Runs the maintenance this kind of database needs; returns whether anything ran. */
export async function runDatabaseMaintenance(database: Database): Promise<boolean> {
  if (database.kind !== 'pglite') return false;
  await database.db.execute(sql`vacuum (analyze)`);
  return true;
}
