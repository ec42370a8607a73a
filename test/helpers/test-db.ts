/**
 * A fresh, migrated database for one test file: in-memory PGlite, or a new database on the
 * throwaway PostgreSQL cluster of the `postgres` project (CENTRALE_TEST_DB decides).
 * Migrated databases are copies of templates the global setups prepare once per run
 * (test/setup/db-templates.ts); without a setup they are migrated and seeded here, slowly.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../db/client.ts';
import { prepareDatabase, type StartupReport } from '../../db/startup.ts';
import { TEST_ADMIN_PASSWORD, type DbTemplate } from '../setup/db-templates.ts';

export { TEST_ADMIN_PASSWORD };

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

function injectTemplate(demoData: boolean): DbTemplate | undefined {
  try {
    const templates = inject('dbTemplates');
    return (demoData ? templates?.demo : templates?.plain) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Creates an empty database (no migrations). */
export async function createEmptyTestDatabase(): Promise<TestDatabase> {
  return openTestDatabase(undefined);
}

/** An empty database, or a copy of `template`. */
async function openTestDatabase(template: string | undefined): Promise<TestDatabase> {
  if (testDbKind === 'pglite') {
    const loadDataDir = template ? new Blob([readFileSync(template)]) : undefined;
    const database = await openDatabase({ kind: 'pglite', dataDir: undefined }, { loadDataDir });
    return { database, url: undefined, close: () => database.close() };
  }
  const adminUrl = safeInject();
  if (!adminUrl) throw new Error('PostgreSQL tests need the postgres project global setup (or CENTRALE_SKIP_POSTGRES=1 to skip them)');
  const name = `centrale_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await createDatabase(admin, name, template);
  } finally {
    await admin.end();
  }
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

async function createDatabase(admin: postgres.Sql, name: string, template: string | undefined): Promise<void> {
  if (!template) {
    await admin.unsafe(`create database ${name}`);
    return;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.unsafe(`create database ${name} template ${template}`);
      return;
    } catch (error) {
      // 55006: a session is still on the template (e.g. a late disconnect); it goes away shortly.
      if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** A migrated database with the admin account (password `TEST_ADMIN_PASSWORD`) and, optionally, demo data. */
export async function createTestDatabase(options: { demoData?: boolean } = {}): Promise<TestDatabase & { report: StartupReport }> {
  const demoData = options.demoData ?? true;
  const template = injectTemplate(demoData);
  if (template) {
    // The template's own seeding report: the demo passwords in it are the ones stored in the copy.
    return { ...(await openTestDatabase(template.source)), report: structuredClone(template.report) };
  }
  const t = await createEmptyTestDatabase();
  const report = await prepareDatabase(t.database.db, { adminPassword: TEST_ADMIN_PASSWORD, demoData });
  return { ...t, report };
}
