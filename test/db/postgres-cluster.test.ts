// Self-test of the PostgreSQL test harness (test/helpers/postgres-cluster.ts and the postgres
// project's globalSetup). Runs only in the `postgres` project; in `pglite` it reports as skipped.
import { access } from 'node:fs/promises';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.ts';

const onPostgres = process.env.CENTRALE_TEST_DB === 'postgres';
// '' when CENTRALE_SKIP_POSTGRES=1; undefined outside the postgres project (nothing provided).
const providedUrl = onPostgres ? inject('postgresUrl') : '';

function connect(url: string) {
  // connect_timeout keeps the "server is down" assertions quick.
  return postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
}

describe.runIf(onPostgres && Boolean(providedUrl))('PostgreSQL test cluster', () => {
  it('the provided URL reaches PostgreSQL 15 or newer', async () => {
    const sql = connect(providedUrl);
    try {
      const [row] = await sql<{ version: string; server_version_num: string }[]>`
        select version(), current_setting('server_version_num') as server_version_num`;
      expect(row?.version).toMatch(/^PostgreSQL \d+/);
      expect(Math.floor(Number(row?.server_version_num) / 10_000)).toBeGreaterThanOrEqual(15);
    } finally {
      await sql.end();
    }
  });

  describe('a separately started cluster', () => {
    let cluster: PostgresCluster | undefined;
    afterAll(async () => {
      await cluster?.stop();
    });

    it('halts, restarts with its data, and stops removing its directory', async () => {
      cluster = await startPostgresCluster();
      expect(cluster.url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/postgres`);
      const sql = connect(cluster.url);
      try {
        await sql`create table kept (id int primary key, note text not null)`;
        await sql`insert into kept values (1, 'written before halt')`;

        await cluster.halt();
        // Both the open pool (it must reconnect) and a brand-new client find no server.
        await expect(sql`select 1`).rejects.toThrow();
        const fresh = connect(cluster.url);
        await expect(fresh`select 1`).rejects.toThrow();
        await fresh.end();
        await access(cluster.dataDir); // halt keeps the data

        await cluster.restart();
        expect(await sql`select note from kept where id = 1`).toEqual([{ note: 'written before halt' }]);
      } finally {
        await sql.end();
      }

      await cluster.stop();
      await expect(access(cluster.dataDir)).rejects.toThrow();
      await cluster.stop(); // idempotent
    });
  });
});
