/**
 * A fresh, migrated database for one test file: in-memory PGlite, or a new database on the
 * throwaway PostgreSQL cluster of the `postgres` project (CENTRALE_TEST_DB decides).
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../db/client.ts';
import { prepareDatabase, type StartupReport } from '../../db/startup.ts';

export type TestDbKind = 'pglite' | 'postgres';
export const testDbKind: TestDbKind = process.env.CENTRALE_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

/** True only when CENTRALE_SKIP_POSTGRES=1 was set explicitly (the global setup then provides no URL). */
export const postgresSkipped = testDbKind === 'postgres' && !safeInject();

function safeInject(): string {
  try {
    return inject('postgresUrl') ?? '';
  } catch {
    return '';
  }
}

export interface TestDatabase {
  database: Database;
  /** postgres:// URL of this test's own database (PostgreSQL only). */
  url: string | undefined;
  close(): Promise<void>;
}

/** Creates an empty database (no migrations). */
export async function createEmptyTestDatabase(): Promise<TestDatabase> {
  if (testDbKind === 'pglite') {
    const database = await openDatabase({ kind: 'pglite', dataDir: undefined });
    return { database, url: undefined, close: () => database.close() };
  }
  const adminUrl = safeInject();
  if (!adminUrl) throw new Error('PostgreSQL tests need the postgres project global setup (or CENTRALE_SKIP_POSTGRES=1 to skip them)');
  const name = `centrale_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  const database = await openDatabase({ kind: 'postgres', url });
  return {
    database,
    url,
    async close() {
      await database.close();
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await cleanup.end();
    },
  };
}

/** A migrated database with the admin account (password `TEST_ADMIN_PASSWORD`) and, optionally, demo data. */
export async function createTestDatabase(options: { demoData?: boolean } = {}): Promise<TestDatabase & { report: StartupReport }> {
  const t = await createEmptyTestDatabase();
  const report = await prepareDatabase(t.database.db, { adminPassword: TEST_ADMIN_PASSWORD, demoData: options.demoData ?? true });
  return { ...t, report };
}

export const TEST_ADMIN_PASSWORD = 'test-admin-password';
