/**
 * Co-payments (art. 13–14): a month's statement from the comune's tariff × the hours redeemed
 * in the month × the household's ISEE; payments against it; unpaid months. Also the provider's
 * monthly statement of redeemed hours per comune. Money in euro cents.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { DomainError } from '../core/errors.ts';
import { canInterruptForUnpaidFees, computeDefaultFeeDueDate, computeMonthlyFee, countUnpaidMonths, validateFeeTariff, type FeeTariff, type FeeTariffBand } from '../core/regulation/fees.ts';
import { recordAudit } from './audit.ts';
import type { Db, Queryable } from './client.ts';
import type { ProgrammeRow } from './ledger.ts';
import { findIseeCents, type Actor } from './programmes.ts';
import { comuneSettings, feeStatements, payments, programmes, voucherLedger } from './schema.ts';

export type FeeStatementRow = typeof feeStatements.$inferSelect;

async function loadTariff(q: Queryable, comuneId: string): Promise<FeeTariff> {
  const [row] = await q.select({ tariff: comuneSettings.feeTariff }).from(comuneSettings).where(eq(comuneSettings.comuneId, comuneId));
  const raw = row?.tariff as { bands?: unknown } | null | undefined;
  if (!raw || !Array.isArray(raw.bands) || raw.bands.length === 0) {
    throw new DomainError('CONFLICT', { key: 'programmes:error.noTariff' });
  }
  return validateFeeTariff({ comuneId, bands: raw.bands as FeeTariffBand[] });
}

/** Hours redeemed for a programme in a month 'YYYY-MM' (by delivery day). */
async function redeemedInMonth(q: Queryable, programmeId: string, month: string): Promise<number> {
  const [row] = await q
    .select({ hours: sql<number>`coalesce(sum(${voucherLedger.hours}), 0)::int` })
    .from(voucherLedger)
    .where(and(eq(voucherLedger.programmeId, programmeId), eq(voucherLedger.kind, 'redeem'), sql`to_char(${voucherLedger.on}, 'YYYY-MM') = ${month}`));
  return Number(row?.hours ?? 0);
}

/**
 * Art. 14: computes (or recomputes) the month's statement of a programme. No tariff configured
 * for the comune, or no ISEE on file → 409 with a message saying what is missing.
 */
export async function computeFeeStatement(db: Db, programme: ProgrammeRow, month: string, actor: Actor): Promise<FeeStatementRow> {
  return db.transaction(async (tx) => {
    const tariff = await loadTariff(tx, programme.comuneId);
    const iseeCents = await findIseeCents(tx, programme);
    if (iseeCents === null) throw new DomainError('CONFLICT', { key: 'programmes:error.noIsee' });
    const redeemedHours = await redeemedInMonth(tx, programme.id, month);
    const amountCents = computeMonthlyFee({ tariff, iseeCents, redeemedHours });
    const dueOn = computeDefaultFeeDueDate(month);
    const [row] = await tx
      .insert(feeStatements)
      .values({ programmeId: programme.id, personId: programme.personId, comuneId: programme.comuneId, month, redeemedHours, amountCents, dueOn })
      .onConflictDoUpdate({ target: [feeStatements.programmeId, feeStatements.month], set: { redeemedHours, amountCents } })
      .returning();
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'fee_statement.compute', subjectType: 'fee_statement', subjectId: row!.id, comuneId: programme.comuneId, requestId: actor.requestId });
    return row!;
  });
}

export async function findFeeStatement(q: Queryable, id: string): Promise<FeeStatementRow | undefined> {
  const [row] = await q.select().from(feeStatements).where(eq(feeStatements.id, id));
  return row;
}

async function paidCents(q: Queryable, statementIds: string[]): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  if (!statementIds.length) return result;
  const rows = await q
    .select({ id: payments.statementId, paid: sql<number>`coalesce(sum(${payments.amountCents}), 0)::int` })
    .from(payments)
    .where(inArray(payments.statementId, statementIds))
    .groupBy(payments.statementId);
  for (const r of rows) result.set(r.id, Number(r.paid));
  return result;
}

/** Records a payment; more than what is still due is refused (409), under the statement's row lock. */
export async function recordPayment(db: Db, statementId: string, input: { amountCents: number; paidOn: string; method?: string }, actor: Actor) {
  return db.transaction(async (tx) => {
    const [statement] = await tx.select().from(feeStatements).where(eq(feeStatements.id, statementId)).for('update');
    if (!statement) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
    const paid = (await paidCents(tx, [statementId])).get(statementId) ?? 0;
    if (paid + input.amountCents > statement.amountCents) {
      throw new DomainError('CONFLICT', { key: 'programmes:error.paymentExceedsDue', params: { due: statement.amountCents - paid } });
    }
    const [payment] = await tx
      .insert(payments)
      .values({ statementId, amountCents: input.amountCents, paidOn: input.paidOn, method: input.method ?? null, recordedBy: actor.staffId })
      .returning();
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'payment.record', subjectType: 'fee_statement', subjectId: statementId, comuneId: statement.comuneId, requestId: actor.requestId });
    return { payment: payment!, paidCents: paid + input.amountCents, dueCents: statement.amountCents };
  });
}

/** A person's statements with what was paid, the unpaid months on `today` and whether art. 13 allows an interruption. */
export async function personFees(q: Queryable, personId: string, today: string) {
  const rows = await q.select().from(feeStatements).where(eq(feeStatements.personId, personId)).orderBy(asc(feeStatements.month));
  const paid = await paidCents(q, rows.map((r) => r.id));
  const statements = rows.map((r) => ({
    id: r.id,
    programmeId: r.programmeId,
    month: r.month,
    redeemedHours: r.redeemedHours,
    amountCents: r.amountCents,
    paidCents: paid.get(r.id) ?? 0,
    dueOn: r.dueOn,
  }));
  const unpaidMonths = countUnpaidMonths(
    statements.map((s) => ({ month: s.month, dueCents: s.amountCents, paidCents: s.paidCents, dueDate: s.dueOn })),
    today,
  );
  return { statements, unpaidMonths, interruptionAllowed: canInterruptForUnpaidFees(unpaidMonths) };
}

export async function countPersonUnpaidMonths(q: Queryable, personId: string, today: string): Promise<number> {
  return (await personFees(q, personId, today)).unpaidMonths;
}

/** A provider's month: hours it redeemed per comune (for its monthly statement to each comune). */
export async function providerMonthlyStatement(q: Queryable, resourceId: string, month: string, comuneIds: readonly string[] | null) {
  const rows = await q
    .select({
      comuneId: programmes.comuneId,
      hours: sql<number>`coalesce(sum(${voucherLedger.hours}), 0)::int`,
      redemptions: sql<number>`count(*)::int`,
      programmes: sql<number>`count(distinct ${voucherLedger.programmeId})::int`,
    })
    .from(voucherLedger)
    .innerJoin(programmes, eq(programmes.id, voucherLedger.programmeId))
    .where(
      and(
        eq(voucherLedger.kind, 'redeem'),
        sql`coalesce(${voucherLedger.resourceId}, ${programmes.resourceId}) = ${resourceId}`,
        sql`to_char(${voucherLedger.on}, 'YYYY-MM') = ${month}`,
        comuneIds === null ? sql`true` : comuneIds.length ? inArray(programmes.comuneId, [...comuneIds]) : sql`false`,
      ),
    )
    .groupBy(programmes.comuneId)
    .orderBy(asc(programmes.comuneId));
  const comuni = rows.map((r) => ({ comuneId: r.comuneId, redeemedHours: Number(r.hours), redemptions: Number(r.redemptions), programmes: Number(r.programmes) }));
  return { resourceId, month, comuni, totalHours: comuni.reduce((s, c) => s + c.redeemedHours, 0) };
}
