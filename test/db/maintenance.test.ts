/**
 * Database maintenance (db/maintenance.ts): on PGlite, which has no autovacuum, centrale's own
 * VACUUM (ANALYZE) gives the planner its statistics; on PostgreSQL it leaves the job to autovacuum.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../db/client.ts';
import { runDatabaseMaintenance } from '../../db/maintenance.ts';
import { createTestDatabase, testDbKind, type TestDatabase } from '../helpers/test-db.ts';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase({ demoData: false });
});
afterAll(async () => {
  await t?.close();
});

const estimate = async () =>
  Number(rowsOf<{ n: number }>(await t.database.db.execute(sql`select reltuples::int as n from pg_class where relname = 'channel_inbound'`))[0]!.n);

describe(`database maintenance (${testDbKind})`, () => {
  it(testDbKind === 'pglite' ? 'gives the planner fresh statistics: the row estimate follows the table' : 'leaves PostgreSQL to its autovacuum', async () => {
    await t.database.db.execute(sql`insert into channel_inbound (channel, external_id, payload) select 'telegram', 'maint-' || g, '{}'::jsonb from generate_series(1, 300) g`);
    const before = await estimate();
    const ran = await runDatabaseMaintenance(t.database);
    expect(ran).toBe(testDbKind === 'pglite');
    if (ran) {
      expect(before).not.toBe(300);
      expect(await estimate()).toBe(300);
    }
  });
});
