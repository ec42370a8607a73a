/**
 * A comune's waiting list over 100,000 applications: centrale's route
 * (GET /api/v1/comuni/{id}/waiting-list: session, scope, keyset page, audit row, JSON) against
 * the equivalent raw indexed SQL sent straight through the driver, side by side.
 */
import { sql } from 'drizzle-orm';
import { preparedRunner } from '../db/prepared.ts';
import { createBenchApp } from './app.ts';
import { formatRow, measureSideBySide, type Measurement } from './harness.ts';
import type { BenchTarget } from './targets.ts';

export const BENCH_COMUNE = 'bench';
export const BENCH_APPLICATIONS = Number(process.env.BENCH_APPLICATIONS ?? 100_000);

/** 100,000 people and applications on the list in one comune, with plenty of ties, in two statements. */
export async function seedWaitingList(target: BenchTarget, n = BENCH_APPLICATIONS): Promise<void> {
  const { db } = target.database;
  await db.execute(sql`insert into comuni (id, name, over65) values (${BENCH_COMUNE}, 'Comune di prova (bench)', 100000) on conflict do nothing`);
  await db.execute(sql`
    with p as (
      insert into people (comune_id, given_name, family_name)
      select ${BENCH_COMUNE}, 'Bench', 'Persona ' || i from generate_series(1, ${n}::int) as i
      returning id
    )
    insert into applications (person_id, comune_id, origin, status, application_date, total_points, autonomy_points)
    select id, ${BENCH_COMUNE}, 'citizen', 'waiting_list',
           date '2025-01-01' + (row_number() over () * 17 % 600)::int,
           least(100, 20 + (row_number() over () * 37 % 80))::int,
           least(40, row_number() over () * 13 % 41)::int
    from p`);
  // A real list is not a heap loaded seconds ago: settle it (hint bits, visibility map, statistics,
  // dirty pages written) so that whichever side is measured first does not pay for the bulk load.
  await db.execute(sql`vacuum (analyze) applications`);
  await db.execute(sql`checkpoint`);
}

const RAW_FIRST = `select id, application_date, total_points, autonomy_points from applications
  where comune_id = $1 and status = 'waiting_list'
  order by (100 - total_points), (40 - autonomy_points), application_date, id limit $2`;
const RAW_AFTER = `select id, application_date, total_points, autonomy_points from applications
  where comune_id = $1 and status = 'waiting_list'
    and ((100 - total_points), (40 - autonomy_points), application_date, id) > ((100 - $3::int), (40 - $4::int), $5::date, $6::uuid)
  order by (100 - total_points), (40 - autonomy_points), application_date, id limit $2`;

/**
 * Runs a raw statement through the driver itself, not through drizzle: a named prepared statement
 * on both databases, as the route's own hot reads are (db/prepared.ts), so that the two sides differ
 * only in what the route adds.
 */
function rawRunner(target: BenchTarget): (text: string, params: unknown[]) => Promise<unknown[]> {
  const run = preparedRunner(target.database.db);
  return (text, params) => run(text, params);
}

export async function benchWaitingList(target: BenchTarget, log: (line: string) => void): Promise<{ rows: Measurement[]; ratios: Record<string, number> }> {
  await seedWaitingList(target);
  const bench = await createBenchApp(target);
  const raw = rawRunner(target);
  // A cursor in the middle of the list (position 50,000) for the deep-page case.
  const middle = (await raw(`${RAW_FIRST} offset ${Math.floor(BENCH_APPLICATIONS / 2) - 1}`.replace('limit $2', 'limit 1'), [BENCH_COMUNE])) as {
    id: string; application_date: string | Date; total_points: number; autonomy_points: number;
  }[];
  const m = middle[0]!;
  const middleDate = typeof m.application_date === 'string' ? m.application_date : m.application_date.toISOString().slice(0, 10);
  const deepCursor = Buffer.from(JSON.stringify([m.total_points, m.autonomy_points, middleDate, m.id, Math.floor(BENCH_APPLICATIONS / 2)])).toString('base64url');

  const rows: Measurement[] = [];
  const ratios: Record<string, number> = {};
  for (const limit of [100, 1000]) {
    // What is measured is a real page: a full one.
    for (const path of [`/api/v1/comuni/${BENCH_COMUNE}/waiting-list?limit=${limit}`, `/api/v1/comuni/${BENCH_COMUNE}/waiting-list?limit=${limit}&cursor=${deepCursor}`]) {
      const page = JSON.parse(await bench.get(path)) as { entries: unknown[] };
      if (page.entries.length !== limit) throw new Error(`${path}: ${page.entries.length} entries`);
    }
    const [api, sqlFirst] = await measureSideBySide(
      { name: `waiting list ${limit}/page, first page, centrale (${target.kind})`, op: () => bench.get(`/api/v1/comuni/${BENCH_COMUNE}/waiting-list?limit=${limit}`) },
      { name: `waiting list ${limit}/page, first page, raw SQL (${target.kind})`, op: () => raw(RAW_FIRST, [BENCH_COMUNE, limit + 1]) },
    );
    const [apiDeep, sqlDeep] = await measureSideBySide(
      { name: `waiting list ${limit}/page at #50,000, centrale (${target.kind})`, op: () => bench.get(`/api/v1/comuni/${BENCH_COMUNE}/waiting-list?limit=${limit}&cursor=${deepCursor}`) },
      { name: `waiting list ${limit}/page at #50,000, raw SQL (${target.kind})`, op: () => raw(RAW_AFTER, [BENCH_COMUNE, limit + 1, m.total_points, m.autonomy_points, middleDate, m.id]) },
    );
    for (const r of [api, sqlFirst, apiDeep, sqlDeep]) {
      rows.push(r);
      log(formatRow(r));
    }
    ratios[`first ${limit}`] = api.p50Ms / sqlFirst.p50Ms;
    ratios[`deep ${limit}`] = apiDeep.p50Ms / sqlDeep.p50Ms;
  }
  await bench.close();
  return { rows, ratios };
}
