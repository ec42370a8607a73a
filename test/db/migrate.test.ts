import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, rowsOf, type Database } from '../../db/client.ts';
import { migrate } from '../../db/migrate.ts';
import { prepareDatabase } from '../../db/startup.ts';
import { auditLog, comuni, staffUsers } from '../../db/schema.ts';
import { recordAudit } from '../../db/audit.ts';
import { createEmptyTestDatabase, postgresSkipped, testDbKind, type TestDatabase } from '../helpers/test-db.ts';

describe.skipIf(postgresSkipped)('migrations and start-up work', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createEmptyTestDatabase();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('applies every migration once, serialised across concurrent starters', async () => {
    // Several instances starting at once: on PostgreSQL each has its own connection pool.
    const others: Database[] =
      testDbKind === 'postgres' ? await Promise.all([1, 2, 3].map(() => openDatabase({ kind: 'postgres', url: t.url! }))) : [];
    const starters = [t.database, ...others];
    const reports = await Promise.all(starters.map((d) => prepareDatabase(d.db, { adminPassword: 'a-long-admin-password', demoData: true })));
    await Promise.all(others.map((d) => d.close()));
    expect(reports.filter((r) => r.migrationsApplied > 0)).toHaveLength(1);
    expect(reports.filter((r) => r.demoLoaded)).toHaveLength(1);
    expect(reports.filter((r) => r.adminCreated)).toHaveLength(1);
    const { db } = t.database;
    expect((await db.select().from(comuni)).length).toBe(14);
    const admins = await db.select().from(staffUsers).where(sql`lower(${staffUsers.username}) = 'admin'`);
    expect(admins).toHaveLength(1);
    const again = await migrate(db);
    expect(again.applied).toEqual([]);
  });

  it('names the 14 comuni of the ambito today, with illustrative over-65 figures', async () => {
    const rows = await t.database.db.select().from(comuni);
    expect(rows.map((r) => r.name)).toContain('Vermezzo con Zelo');
    expect(rows.map((r) => r.name)).not.toContain('Zelo Surrigone');
    expect(rows.every((r) => r.over65Illustrative && r.over65 > 0)).toBe(true);
  });

  it('keeps the audit log append-only at the database', async () => {
    const { db } = t.database;
    await recordAudit(db, { actorType: 'system', action: 'test.entry' });
    await expect(db.execute(sql`update audit_log set action = 'tampered'`)).rejects.toThrow();
    await expect(db.execute(sql`delete from audit_log`)).rejects.toThrow();
    const rows = rowsOf<{ action: string }>(await db.execute(sql`select action from audit_log where action = 'test.entry'`));
    expect(rows).toHaveLength(1);
    expect((await db.select().from(auditLog)).some((r) => r.action === 'tampered')).toBe(false);
  });

  it.skipIf(testDbKind !== 'postgres')('writes dates as ISO even where the server is set to an Italian DateStyle', async () => {
    const name = new URL(t.url!).pathname.slice(1);
    await t.database.db.execute(sql.raw(`alter database "${name}" set DateStyle = 'SQL, DMY'`));
    const fresh = await openDatabase({ kind: 'postgres', url: t.url! });
    try {
      const [row] = rowsOf<{ d: string; style: string }>(await fresh.db.execute(sql`select (date '2026-11-22')::text as d, current_setting('DateStyle') as style`));
      expect(row).toEqual({ d: '2026-11-22', style: 'ISO, MDY' });
    } finally {
      await fresh.close();
      await t.database.db.execute(sql.raw(`alter database "${name}" reset DateStyle`));
    }
  });

  it('resets the admin password from CENTRALE_ADMIN_PASSWORD on a later start', async () => {
    const report = await prepareDatabase(t.database.db, { adminPassword: 'another-long-password', demoData: true });
    expect(report).toMatchObject({ migrationsApplied: 0, adminCreated: false, demoLoaded: false, generated: [] });
  });
});
