// Database templates, prepared once per project run by the global setups: migrating and seeding
// a database costs 5–15 s on PGlite, copying a prepared one a fraction of that. Each test file
// still gets its own database (test/helpers/test-db.ts); only the starting point is shared.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { PGlite } from '@electric-sql/pglite';
import { openDatabase } from '../../db/client.ts';
import { prepareDatabase, type StartupReport } from '../../db/startup.ts';

/** Same admin password the slow path uses (test-db.ts re-exports it). */
export const TEST_ADMIN_PASSWORD = 'test-admin-password';

export interface DbTemplate {
  /** PGlite: path of a `dumpDataDir()` tarball; PostgreSQL: name of the template database. */
  source: string;
  /** What prepareDatabase answered when the template was seeded (demo passwords included). */
  report: StartupReport;
}

/** `demo`: createTestDatabase() default; `plain`: `{ demoData: false }`. */
export interface DbTemplates {
  demo: DbTemplate;
  plain: DbTemplate;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Templates of this project's database kind; absent when the setup did not run. */
    dbTemplates: DbTemplates | null;
  }
}

async function seed(db: Parameters<typeof prepareDatabase>[0], demoData: boolean): Promise<StartupReport> {
  return prepareDatabase(db, { adminPassword: TEST_ADMIN_PASSWORD, demoData });
}

/** Two migrated (one seeded) PGlite data directories as tarballs in a temporary directory. */
export async function buildPgliteTemplates(): Promise<{ templates: DbTemplates; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'centrale-pglite-tpl-'));
  const build = async (demoData: boolean, file: string): Promise<DbTemplate> => {
    const database = await openDatabase({ kind: 'pglite', dataDir: undefined });
    try {
      const report = await seed(database.db, demoData);
      const client = (database.db as unknown as { $client: PGlite }).$client;
      const tar = await client.dumpDataDir('none');
      const source = join(dir, file);
      writeFileSync(source, Buffer.from(await tar.arrayBuffer()), { mode: 0o600 });
      return { source, report };
    } finally {
      await database.close();
    }
  };
  try {
    // One after the other: PGlite is single-threaded WebAssembly, two at once only add memory.
    const demo = await build(true, 'demo.tar');
    const plain = await build(false, 'plain.tar');
    return { templates: { demo, plain }, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Two template databases on the test cluster; CREATE DATABASE … TEMPLATE copies them per file. */
export async function buildPostgresTemplates(adminUrl: string): Promise<DbTemplates> {
  const build = async (demoData: boolean, name: string): Promise<DbTemplate> => {
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.unsafe(`create database ${name}`);
    } finally {
      await admin.end();
    }
    const database = await openDatabase({ kind: 'postgres', url: adminUrl.replace(/\/[^/]*$/, `/${name}`) });
    try {
      return { source: name, report: await seed(database.db, demoData) };
    } finally {
      // No session may stay connected to a template, or copying it fails.
      await database.close();
    }
  };
  const [demo, plain] = await Promise.all([build(true, 'centrale_template_demo'), build(false, 'centrale_template_plain')]);
  return { demo, plain };
}
