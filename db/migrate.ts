/**
 * Applies the committed drizzle-kit migrations at start-up.
 *
 * Several instances may start at once against one PostgreSQL: everything runs in one
 * transaction holding a transaction-level advisory lock, so the second instance waits, then
 * finds nothing left to do. DDL is transactional in Postgres, so a failed migration leaves
 * the schema as it was. Extra start-up work that must be serialised the same way (creating the
 * admin account, loading demo data) runs under the same lock through `also`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { rowsOf, type Db, type Tx } from './client.ts';

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Arbitrary but fixed: the key every centrale instance locks for start-up work. */
const STARTUP_LOCK_KEY = 7_205_026_001;

export interface MigrationReport {
  applied: string[];
}

export async function migrate(db: Db, also?: (tx: Tx) => Promise<void>): Promise<MigrationReport> {
  const migrations = readMigrationFiles({ migrationsFolder });
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${STARTUP_LOCK_KEY})`);
    await tx.execute(sql`
      create table if not exists centrale_migrations (
        hash text primary key,
        folder_millis bigint not null,
        applied_at timestamptz not null default now()
      )`);
    const done = new Set(
      rowsOf<{ hash: string }>(await tx.execute(sql`select hash from centrale_migrations`)).map((r) => r.hash),
    );
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.hash)) continue;
      for (const statement of migration.sql) {
        if (statement.trim()) await tx.execute(sql.raw(statement));
      }
      await tx.execute(
        sql`insert into centrale_migrations (hash, folder_millis) values (${migration.hash}, ${migration.folderMillis})`,
      );
      applied.push(migration.hash);
    }
    if (also) await also(tx);
    return { applied };
  });
}
