/**
 * The voucher ledger through the HTTP app: the fixed contracts (programmes list, a person's
 * vouchers, redemptions), whole hours (art. 11), the balance under 50 concurrent redemptions,
 * visits redeemed once, roles and scope, and the database-level guard against overdraw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { DomainError } from '../../core/errors.ts';
import { appendLedgerEntry, lockProgramme } from '../../db/ledger.ts';
import { caseEvents, voucherLedger } from '../../db/schema.ts';
import { createCaseFixtures, ledgerBalance, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped, testDbKind } from '../helpers/test-db.ts';

interface ErrorBody { error: { code: string; rule?: string; fields?: Record<string, string> } }

describe.skipIf(postgresSkipped)('voucher ledger API (art. 11)', () => {
  let t: TestApp;
  let f: CaseFixtures;
  const cookies: Record<string, string> = {};
  const as = (user: string) => ({ headers: { cookie: cookies[user]! } });
  const get = (user: string, path: string) => t.request(path, as(user));
  const post = (user: string, path: string, body: unknown) => t.json(path, body, as(user));
  const now = () => new Date().toISOString();
  const entriesOf = async (programmeId: string) => (await f.db.select().from(voucherLedger).where(eq(voucherLedger.programmeId, programmeId))).length;

  beforeAll(async () => {
    t = await createTestApp();
    f = await createCaseFixtures(t.db.database.db);
    for (const u of ['paola', 'sara', 'giorgio', 'marco', 'ilsole']) cookies[u] = await t.login(u);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves the fixed contract of GET /programmes?status=active, scoped per role', async () => {
    const res = await get('sara', '/api/v1/programmes?status=active');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { programmes: Record<string, unknown>[] };
    const mine = body.programmes.find((p) => p.id === f.albairate.programmeId);
    expect(mine).toEqual({ id: f.albairate.programmeId, personId: f.albairate.personId, comuneId: 'albairate', periodEnd: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), balanceHours: 40 });
    expect(body.programmes.some((p) => p.id === f.abbiategrasso.programmeId)).toBe(false);
    const provider = (await (await get('ilsole', '/api/v1/programmes?status=active')).json()) as { programmes: { id: string }[] };
    expect(provider.programmes.map((p) => p.id)).toContain(f.albairate.programmeId);
    expect(provider.programmes.map((p) => p.id)).not.toContain(f.abbiategrasso.programmeId);
    const admin = (await (await get('paola', '/api/v1/programmes?status=active')).json()) as { programmes: { id: string }[] };
    expect(admin.programmes.map((p) => p.id)).toEqual(expect.arrayContaining([f.albairate.programmeId, f.abbiategrasso.programmeId]));
    expect((await get('marco', '/api/v1/programmes?status=active')).status).toBe(403);
  });

  it('serves the fixed contract of GET /people/{id}/vouchers and audits the read', async () => {
    const file = await f.createFile('albairate', { issuedHours: 12 });
    const res = await get('sara', `/api/v1/people/${file.personId}/vouchers`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ programmeId: file.programmeId, issuedHours: 12, redeemedHours: 0, returnedHours: 0, balanceHours: 12, periodEnd: expect.any(String) });
    expect((await get('giorgio', `/api/v1/people/${file.personId}/vouchers`)).status).toBe(404);
    expect((await get('sara', '/api/v1/people/not-a-uuid/vouchers')).status).toBe(404);
    expect((await get('sara', '/api/v1/people/00000000-0000-4000-8000-000000000000/vouchers')).status).toBe(404);
    expect((await get('marco', `/api/v1/people/${file.personId}/vouchers`)).status).toBe(403);
    const rows = await t.db.database.db.execute(`select count(*)::int as n from audit_log where action = 'person.vouchers.read' and subject_id = '${file.personId}'` as never);
    const n = ((rows as unknown as { rows?: { n: number }[] }).rows ?? (rows as unknown as { n: number }[]))[0]!.n;
    expect(n).toBe(1);
  });

  it('redeems whole hours and refuses 1.5 with art. 11, changing nothing', async () => {
    const file = await f.createFile('albairate', { issuedHours: 5 });
    const before = await entriesOf(file.programmeId);
    const frac = await post('ilsole', `/api/v1/programmes/${file.programmeId}/redemptions`, { hours: 1.5, deliveredAt: now() });
    expect(frac.status).toBe(400);
    expect(((await frac.json()) as ErrorBody).error.rule).toBe('art. 11');
    expect(await entriesOf(file.programmeId)).toBe(before);

    const ok = await post('ilsole', `/api/v1/programmes/${file.programmeId}/redemptions`, { hours: 2, deliveredAt: now() });
    expect(ok.status).toBe(201);
    const entry = (await ok.json()) as { kind: string; hours: number; programmeId: string; balanceHours: number; visitId: string | null };
    expect(entry).toMatchObject({ kind: 'redeem', hours: 2, programmeId: file.programmeId, balanceHours: 3, visitId: null });
    expect(await ledgerBalance(f.db, file.programmeId)).toBe(3);
  });

  it('answers 409 INSUFFICIENT_BALANCE beyond the balance, changing nothing', async () => {
    const file = await f.createFile('albairate', { issuedHours: 2 });
    const res = await post('sara', `/api/v1/programmes/${file.programmeId}/redemptions`, { hours: 3, deliveredAt: now() });
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error.code).toBe('INSUFFICIENT_BALANCE');
    expect(await ledgerBalance(f.db, file.programmeId)).toBe(2);
    expect(await entriesOf(file.programmeId)).toBe(1);
  });

  it('refuses a delivery in the future or a malformed date', async () => {
    const file = await f.createFile('albairate');
    const future = await post('sara', `/api/v1/programmes/${file.programmeId}/redemptions`, { hours: 1, deliveredAt: new Date(Date.now() + 3 * 86_400_000).toISOString() });
    expect(future.status).toBe(400);
    expect(((await future.json()) as ErrorBody).error.fields?.deliveredAt).toBeTruthy();
    const bad = await post('sara', `/api/v1/programmes/${file.programmeId}/redemptions`, { hours: 1, deliveredAt: 'ieri' });
    expect(bad.status).toBe(400);
    const extra = await post('sara', `/api/v1/programmes/${file.programmeId}/redemptions`, { hours: 1, deliveredAt: now(), bonus: true });
    expect(extra.status).toBe(400);
    expect(await entriesOf(file.programmeId)).toBe(1);
  });

  it('redeems a done visit once; a planned or foreign visit is refused', async () => {
    const file = await f.createFile('albairate');
    const url = `/api/v1/programmes/${file.programmeId}/redemptions`;
    const wrongHours = await post('ilsole', url, { hours: 3, deliveredAt: now(), visitId: file.doneVisitId });
    expect(wrongHours.status).toBe(400);
    const first = await post('ilsole', url, { hours: 1, deliveredAt: now(), visitId: file.doneVisitId });
    expect(first.status).toBe(201);
    expect(((await first.json()) as { visitId: string }).visitId).toBe(file.doneVisitId);
    const again = await post('ilsole', url, { hours: 1, deliveredAt: now(), visitId: file.doneVisitId });
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).error.code).toBe('CONFLICT');
    const planned = await post('ilsole', url, { hours: 2, deliveredAt: now(), visitId: file.plannedVisitId });
    expect(planned.status).toBe(409);
    const foreign = await post('ilsole', url, { hours: 1, deliveredAt: now(), visitId: f.albairate.doneVisitId });
    expect(foreign.status).toBe(404);
    const malformed = await post('ilsole', url, { hours: 1, deliveredAt: now(), visitId: 'x' });
    expect(malformed.status).toBe(404);
    expect(await ledgerBalance(f.db, file.programmeId)).toBe(39);
  });

  it('keeps roles and scope: operator 403, other comune or provider 404, unknown ids 404', async () => {
    const file = await f.createFile('abbiategrasso', { issuedHours: 3 });
    const url = `/api/v1/programmes/${file.programmeId}/redemptions`;
    expect((await post('marco', url, { hours: 1, deliveredAt: now() })).status).toBe(403);
    expect((await get('marco', `/api/v1/programmes/${file.programmeId}/ledger`)).status).toBe(403);
    expect((await post('sara', url, { hours: 1, deliveredAt: now() })).status).toBe(404);
    expect((await post('ilsole', url, { hours: 1, deliveredAt: now() })).status).toBe(404);
    expect((await post('giorgio', '/api/v1/programmes/00000000-0000-4000-8000-000000000000/redemptions', { hours: 1, deliveredAt: now() })).status).toBe(404);
    expect((await post('giorgio', '/api/v1/programmes/%27;drop/redemptions', { hours: 1, deliveredAt: now() })).status).toBe(404);
    expect(await ledgerBalance(f.db, file.programmeId)).toBe(3);
    const ok = await post('giorgio', url, { hours: 1, deliveredAt: now() });
    expect(ok.status).toBe(201);
  });

  it('lists the ledger and corrects it with reasoned adjustments, never below zero', async () => {
    const file = await f.createFile('albairate', { issuedHours: 4 });
    const url = `/api/v1/programmes/${file.programmeId}/adjustments`;
    expect((await post('ilsole', url, { hours: 1, reason: 'x' })).status).toBe(403);
    const minus = await post('sara', url, { hours: -5, reason: 'errore di caricamento' });
    expect(minus.status).toBe(409);
    expect((await post('sara', url, { hours: 0, reason: 'nulla' })).status).toBe(400);
    expect((await post('sara', url, { hours: 2, reason: '' })).status).toBe(400);
    const plus = await post('sara', url, { hours: -1, reason: 'ora registrata due volte' });
    expect(plus.status).toBe(201);
    const ledger = (await (await get('ilsole', `/api/v1/programmes/${file.programmeId}/ledger`)).json()) as { entries: { kind: string; hours: number; reason: string | null }[]; balanceHours: number };
    expect(ledger.entries.map((e) => [e.kind, e.hours])).toEqual([['issue', 4], ['adjustment', -1]]);
    expect(ledger.entries[1]!.reason).toBe('ora registrata due volte');
    expect(ledger.balanceHours).toBe(3);
  });

  it('records "hours running low" once per programme', async () => {
    const file = await f.createFile('albairate', { issuedHours: 10 });
    const url = `/api/v1/programmes/${file.programmeId}/redemptions`;
    const events = async () => (await f.db.select().from(caseEvents).where(and(eq(caseEvents.subjectId, file.programmeId), eq(caseEvents.type, 'hours_running_low')))).length;
    expect((await post('sara', url, { hours: 5, deliveredAt: now() })).status).toBe(201);
    expect(await events()).toBe(0);
    expect((await post('sara', url, { hours: 2, deliveredAt: now() })).status).toBe(201);
    expect(await events()).toBe(1);
    expect((await post('sara', url, { hours: 1, deliveredAt: now() })).status).toBe(201);
    expect(await events()).toBe(1);
  });

  it('lets exactly one of 50 concurrent redemptions of the last hour succeed', async () => {
    const file = await f.createFile('albairate', { issuedHours: 1 });
    const body = JSON.stringify({ hours: 1, deliveredAt: now() });
    const path = `/api/v1/programmes/${file.programmeId}/redemptions`;
    let statuses: number[];
    let codes: string[];
    if (testDbKind === 'postgres') {
      // A real socket and the pool's ten connections: only the row lock prevents the overdraw.
      const base = await t.listen();
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookies.sara! }, body })),
      );
      statuses = responses.map((r) => r.status);
      codes = await Promise.all(responses.map(async (r) => ((await r.json()) as Partial<ErrorBody>).error?.code ?? 'OK'));
    } else {
      const responses = await Promise.all(Array.from({ length: 50 }, () => t.request(path, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookies.sara! }, body })));
      statuses = responses.map((r) => r.status);
      codes = await Promise.all(responses.map(async (r) => ((await r.json()) as Partial<ErrorBody>).error?.code ?? 'OK'));
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(codes.filter((c) => c === 'INSUFFICIENT_BALANCE')).toHaveLength(49);
    expect(await ledgerBalance(f.db, file.programmeId)).toBe(0);
    expect(await entriesOf(file.programmeId)).toBe(2);
  });

  it('refuses at the database a second append after the same entry (a path that forgot the lock)', async () => {
    const file = await f.createFile('albairate', { issuedHours: 1 });
    const [issue] = await f.db.select({ id: voucherLedger.id }).from(voucherLedger).where(eq(voucherLedger.programmeId, file.programmeId));
    const on = now().slice(0, 10);
    await f.db.transaction((tx) => appendLedgerEntry(tx, file.programmeId, issue!.id, { kind: 'redeem', hours: 1, on }));
    // Same stale view of the ledger: refused by the unique after_entry_id, not appended.
    await expect(f.db.transaction((tx) => appendLedgerEntry(tx, file.programmeId, issue!.id, { kind: 'redeem', hours: 1, on }))).rejects.toBeInstanceOf(DomainError);
    // And the in-transaction re-check refuses a negative balance whatever the chain says.
    await expect(
      f.db.transaction(async (tx) => {
        await lockProgramme(tx, file.programmeId);
        await appendLedgerEntry(tx, file.programmeId, null, { kind: 'redeem', hours: 1, on });
      }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_BALANCE' });
    expect(await ledgerBalance(f.db, file.programmeId)).toBe(0);
  });
});

describe.skipIf(postgresSkipped)('voucher ledger at the database (migration 0005)', () => {
  let t: TestApp;
  let f: CaseFixtures;
  beforeAll(async () => {
    t = await createTestApp({ demoData: true });
    f = await createCaseFixtures(t.db.database.db);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses to edit or delete an entry, and any entry that would overdraw, whoever writes it', async () => {
    const { db } = t.db.database;
    const programmeId = (await f.createFile('albairate', { issuedHours: 2 })).programmeId;
    await expect(db.update(voucherLedger).set({ hours: 99 }).where(eq(voucherLedger.programmeId, programmeId))).rejects.toThrow();
    await expect(db.delete(voucherLedger).where(eq(voucherLedger.programmeId, programmeId))).rejects.toThrow();
    await expect(db.insert(voucherLedger).values({ programmeId, kind: 'redeem', hours: 3, on: '2026-11-20' })).rejects.toThrow();
    await db.insert(voucherLedger).values({ programmeId, kind: 'redeem', hours: 2, on: '2026-11-20' });
    expect(await ledgerBalance(db, programmeId)).toBe(0);
  });
});
