/**
 * The voucher ledger (art. 11, 13): append-only entries in whole hours, balance derived.
 *
 * How the balance stays ≥ 0, on PGlite and PostgreSQL alike:
 * 1. every write locks the programme row first (`lockProgramme`, SELECT … FOR UPDATE), reads the
 *    ledger and lets core/regulation/ledger.ts decide (refuse or the entry to append);
 * 2. `appendLedgerEntry` writes `after_entry_id` = the newest entry it read. That column is unique,
 *    so two writers that read the same ledger (a future path that forgot the lock) cannot both
 *    append: the second gets a unique violation (→ 409 CONFLICT) instead of overdrawing;
 * 3. a database trigger (migration 0005) refuses any entry that takes the balance below zero,
 *    and any UPDATE or DELETE: the ledger is append-only whoever writes to it. Its refusal
 *    becomes INSUFFICIENT_BALANCE and rolls the whole transaction back.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { DomainError } from '../core/errors.ts';
import type { Balance, LedgerEntry } from '../core/regulation/ledger.ts';
import type { Queryable, Tx } from './client.ts';
import { programmes, voucherLedger, type LedgerKind } from './schema.ts';

export type LedgerRow = typeof voucherLedger.$inferSelect;
export type ProgrammeRow = typeof programmes.$inferSelect;

/** Locks the programme row for the rest of the transaction; undefined when it does not exist. */
export async function lockProgramme(tx: Tx, programmeId: string): Promise<ProgrammeRow | undefined> {
  const [row] = await tx.select().from(programmes).where(eq(programmes.id, programmeId)).for('update');
  return row;
}

export async function readLedger(q: Queryable, programmeId: string): Promise<LedgerRow[]> {
  return q.select().from(voucherLedger).where(eq(voucherLedger.programmeId, programmeId)).orderBy(asc(voucherLedger.id));
}

/** Ledger rows as core entries (in the order they were written). */
export function toLedgerEntries(rows: readonly LedgerRow[]): LedgerEntry[] {
  return rows.map((r): LedgerEntry => {
    switch (r.kind) {
      case 'return':
        return { kind: 'return', hours: r.hours, on: r.on, reason: r.reason ?? '-' };
      case 'adjustment':
        return { kind: 'adjustment', hours: r.hours, on: r.on, reason: r.reason ?? '-', author: r.recordedBy ?? '-' };
      default:
        return { kind: r.kind as 'issue' | 'redeem', hours: r.hours, on: r.on };
    }
  });
}

export interface AppendInput {
  kind: LedgerKind;
  hours: number;
  on: string;
  deliveredAt?: Date | null;
  visitId?: string | null;
  resourceId?: string | null;
  reason?: string | null;
  recordedBy?: string | null;
}

function hasCode(error: unknown, code: string): boolean {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null;
  return e?.code === code || e?.cause?.code === code;
}

/**
 * Appends one entry after `afterEntryId` (the newest entry the caller read under the lock) and
 * re-checks the balance in the same transaction. Call only with the programme row locked.
 */
export async function appendLedgerEntry(tx: Tx, programmeId: string, afterEntryId: number | null, input: AppendInput): Promise<LedgerRow> {
  let row: LedgerRow | undefined;
  try {
    [row] = await tx
      .insert(voucherLedger)
      .values({
        programmeId,
        kind: input.kind,
        hours: input.hours,
        on: input.on,
        deliveredAt: input.deliveredAt ?? null,
        visitId: input.visitId ?? null,
        resourceId: input.resourceId ?? null,
        reason: input.reason ?? null,
        recordedBy: input.recordedBy ?? null,
        afterEntryId,
      })
      .returning();
  } catch (error) {
    if (hasCode(error, '23505')) {
      const visitTaken = input.visitId ? 'programmes:error.visitAlreadyRedeemed' : 'errors:CONFLICT';
      throw new DomainError('CONFLICT', { key: visitTaken });
    }
    // The balance trigger of migration 0005 (check_violation): this entry would overdraw.
    if (hasCode(error, '23514')) throw new DomainError('INSUFFICIENT_BALANCE', { key: 'errors:balanceWouldBeNegative' }, { rule: 'art. 11' });
    throw error;
  }
  return row!;
}

/** The newest entry id of a programme's ledger (null when empty). */
export function lastEntryId(rows: readonly LedgerRow[]): number | null {
  return rows.length ? rows[rows.length - 1]!.id : null;
}

const signedHours = sql<number>`coalesce(sum(case when ${voucherLedger.kind} in ('issue', 'adjustment') then ${voucherLedger.hours} else -${voucherLedger.hours} end), 0)::int`;

export async function sumBalance(q: Queryable, programmeId: string): Promise<number> {
  const [row] = await q.select({ balance: signedHours }).from(voucherLedger).where(eq(voucherLedger.programmeId, programmeId));
  return Number(row?.balance ?? 0);
}

/** Totals per programme in one aggregate query (for lists). */
export async function ledgerTotals(q: Queryable, programmeIds: readonly string[]): Promise<Map<string, Balance>> {
  const result = new Map<string, Balance>();
  if (programmeIds.length === 0) return result;
  const sumOf = (kind: LedgerKind) => sql<number>`coalesce(sum(${voucherLedger.hours}) filter (where ${voucherLedger.kind} = ${kind}), 0)::int`;
  const rows = await q
    .select({ programmeId: voucherLedger.programmeId, issued: sumOf('issue'), redeemed: sumOf('redeem'), returned: sumOf('return'), adjusted: sumOf('adjustment') })
    .from(voucherLedger)
    .where(inArray(voucherLedger.programmeId, [...programmeIds]))
    .groupBy(voucherLedger.programmeId);
  for (const r of rows) {
    const [issued, redeemed, returned, adjusted] = [Number(r.issued), Number(r.redeemed), Number(r.returned), Number(r.adjusted)];
    result.set(r.programmeId, { issued, redeemed, returned, adjusted, balance: issued - redeemed - returned + adjusted });
  }
  return result;
}

export function emptyBalance(): Balance {
  return { issued: 0, redeemed: 0, returned: 0, adjusted: 0, balance: 0 };
}

/** Whether a done visit was already redeemed. */
export async function findVisitRedemption(q: Queryable, visitId: string): Promise<LedgerRow | undefined> {
  const [row] = await q
    .select()
    .from(voucherLedger)
    .where(and(eq(voucherLedger.visitId, visitId), eq(voucherLedger.kind, 'redeem')))
    .orderBy(desc(voucherLedger.id))
    .limit(1);
  return row;
}

/** The public shape of an entry. */
export function ledgerEntryView(r: LedgerRow) {
  return {
    id: r.id,
    programmeId: r.programmeId,
    kind: r.kind,
    hours: r.hours,
    on: r.on,
    deliveredAt: r.deliveredAt ? r.deliveredAt.toISOString() : null,
    visitId: r.visitId,
    resourceId: r.resourceId,
    reason: r.reason,
    recordedBy: r.recordedBy,
    createdAt: r.createdAt.toISOString(),
  };
}
