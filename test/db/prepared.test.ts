/**
 * The hot statements' runner (db/prepared.ts): named, server-side prepared statements on both
 * drivers. On PGlite they are prepared over its wire-protocol API, so these tests pin what `query()`
 * gave for free: the same values, an error that leaves the session usable, no statement run inside
 * another caller's open transaction, and NOTIFYs that still reach the listeners.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparedRunner } from '../../db/prepared.ts';
import { createTestDatabase, postgresSkipped, type TestDatabase } from '../helpers/test-db.ts';

describe.skipIf(postgresSkipped)('prepared statements (db/prepared.ts)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ demoData: false });
    await t.database.db.execute(sql`create table prepared_probe (k text primary key, v jsonb)`);
  });
  afterAll(async () => {
    await t?.close();
  });
  const run = () => preparedRunner(t.database.db);
  const keys = async () => (await run()<{ k: string }>('select k from prepared_probe order by k', [])).map((r) => r.k);

  it('gives the values plain queries give, call after call, whatever the parameter types', async () => {
    const text = 'select $1::int + 1 as n, $2::text as s, $3::text::jsonb as j, $4::text is null as missing, $5::timestamptz as at';
    const at = new Date('2026-11-23T10:00:00.000Z');
    for (const i of [1, 2, 3]) {
      const [row] = await run()<{ n: number; s: string; j: unknown; missing: boolean; at: Date | string }>(text, [i, `ciao ${i}`, JSON.stringify({ a: [i] }), null, at.toISOString()]);
      const { at: gotAt, ...rest } = row!;
      expect(rest).toEqual({ n: i + 1, s: `ciao ${i}`, j: { a: [i] }, missing: true });
      // PGlite parses timestamps, postgres.js (as db/client.ts sets it up) leaves them as text.
      expect(new Date(gotAt).toISOString()).toBe(at.toISOString());
    }
  });

  it('leaves the session usable after an error, and never remembers a statement that did not parse', async () => {
    const insert = 'insert into prepared_probe (k, v) values ($1::text, $2::text::jsonb) returning k';
    expect(await run()(insert, ['a', '{"n":1}'])).toEqual([{ k: 'a' }]);
    await expect(run()(insert, ['a', '{"n":2}'])).rejects.toMatchObject({ code: '23505' });
    expect(await run()(insert, ['b', '{"n":3}'])).toEqual([{ k: 'b' }]);
    for (let i = 0; i < 2; i++) await expect(run()('selec 1', [])).rejects.toMatchObject({ code: '42601' });
    expect(await keys()).toEqual(['a', 'b']);
  });

  it("never runs inside another caller's open transaction", async () => {
    let inserted!: () => void;
    const insertedInTx = new Promise<void>((resolve) => (inserted = resolve));
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const rolledBack = t.database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into prepared_probe (k) values ('in-tx')`);
      inserted();
      await gate;
      throw new Error('roll back');
    });
    await insertedInTx;
    // On PGlite this waits for the transaction to end; on PostgreSQL it runs on another connection.
    const outside = run()('insert into prepared_probe (k) values ($1::text) returning k', ['outside']);
    finish();
    await expect(rolledBack).rejects.toThrow('roll back');
    expect(await outside).toEqual([{ k: 'outside' }]);
    expect(await keys()).toEqual(['a', 'b', 'outside']);
  });

  it('delivers the NOTIFYs its statements send', async () => {
    const heard: string[] = [];
    const unlisten = await t.database.listen('prepared_probe_signal', (payload) => heard.push(payload));
    try {
      await run()(`select pg_notify('prepared_probe_signal', $1::text)`, ['hello']);
      for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(heard).toEqual(['hello']);
    } finally {
      await unlisten();
    }
  });
});
