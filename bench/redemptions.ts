/**
 * Racing voucher redemptions through centrale's route (session, scope, programme row lock, ledger
 * append with the balance triggers of migration 0005) on every demo programme at once, then a
 * check that the ledger invariant held: no balance below zero, every success in the ledger.
 */
import { sql } from 'drizzle-orm';
import { rowsOf } from '../db/client.ts';
import { appendLedgerEntry, lastEntryId, ledgerTotals, lockProgramme, readLedger } from '../db/ledger.ts';
import { createBenchApp } from './app.ts';
import { formatRow, measure, type Measurement } from './harness.ts';
import type { BenchTarget } from './targets.ts';

export async function benchRedemptions(target: BenchTarget, log: (line: string) => void): Promise<{ row: Measurement; conflicts: number; invariantHeld: boolean }> {
  const { db } = target.database;
  const programmes = rowsOf<{ id: string }>(await db.execute(sql`select id from programmes where status = 'active' order by id`)).map((r) => r.id);
  if (programmes.length === 0) throw new Error('no active demo programmes to redeem from');
  const today = new Date().toISOString().slice(0, 10);
  // A small balance on purpose: part of the race runs into an empty balance and must be refused.
  const ISSUED = 150;
  for (const id of programmes) {
    await db.transaction(async (tx) => {
      await lockProgramme(tx, id);
      await appendLedgerEntry(tx, id, lastEntryId(await readLedger(tx, id)), { kind: 'issue', hours: ISSUED, on: today });
    });
  }
  const before = await ledgerTotals(db, programmes);
  const bench = await createBenchApp(target);
  const deliveredAt = new Date(Date.now() - 3_600_000).toISOString();
  let created = 0;
  let conflicts = 0;
  const row = await measure(`racing redemptions, ${programmes.length} programmes (${target.kind})`, async (n) => {
    const res = await bench.app.request(`/api/v1/programmes/${programmes[n % programmes.length]}/redemptions`, {
      method: 'POST',
      headers: { cookie: bench.cookie, 'content-type': 'application/json', origin: 'http://localhost:3000' },
      body: JSON.stringify({ hours: 1, deliveredAt }),
    });
    if (res.status === 201) created++;
    else if (res.status === 409) conflicts++;
    else throw new Error(`redemption → ${res.status}: ${await res.text()}`);
  }, { warmup: 0 });
  await bench.close();
  const after = await ledgerTotals(db, programmes);
  const negative = [...after.values()].filter((b) => b.balance < 0).length;
  const redeemedInRace = programmes.reduce((sum, id) => sum + (after.get(id)?.redeemed ?? 0) - (before.get(id)?.redeemed ?? 0), 0);
  const invariantHeld = negative === 0 && redeemedInRace === created;
  log(formatRow(row));
  log(`  ${created} redeemed, ${conflicts} refused (balance exhausted), balances below zero: ${negative}, ledger matches the successes: ${invariantHeld}`);
  return { row, conflicts, invariantHeld };
}
