/**
 * The demo database: resources of every kind, settings for every comune, running programmes
 * with positive balances in several comuni, the provider account scoped to its cooperative,
 * waiting lists kept (≥ 10 per comune).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programmeScopeCondition } from '../../api/scope.ts';
import { validateFeeTariff, type FeeTariff } from '../../core/regulation/fees.ts';
import { checkVisit } from '../../core/regulation/delivery.ts';
import { DEMO_PROVIDER_NAME } from '../../db/demo-case.ts';
import { DEMO_COMUNI } from '../../db/demo-comuni.ts';
import { prepareHotQueries } from '../../db/hot-queries.ts';
import { applications, consents, delegations, people, programmes, resources, staffUsers, visits, voucherLedger, RESOURCE_KINDS } from '../../db/schema.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';

describe.skipIf(postgresSkipped)('demo case data', () => {
  let t: TestApp;
  const db = () => t.db.database.db;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has resources of every kind, and every comune has an accredited provider', async () => {
    const kinds = await db().selectDistinct({ kind: resources.kind }).from(resources);
    expect(kinds.map((k) => k.kind).sort()).toEqual([...RESOURCE_KINDS].sort());
    const cookie = await t.login('marco');
    for (const c of DEMO_COMUNI) {
      const res = await t.request(`/api/v1/comuni/${c.id}/providers`, { headers: { cookie } });
      const body = (await res.json()) as { providers: { kind: string; comuni: string[] }[] };
      expect(body.providers.length, c.id).toBeGreaterThan(0);
      for (const p of body.providers) expect(p).toMatchObject({ kind: 'accredited_provider', comuni: expect.arrayContaining([c.id]) });
    }
  });

  it('has running programmes with positive balances in several comuni, visits done (redeemed) and planned', async () => {
    const rows = await db()
      .select({
        id: programmes.id,
        comuneId: programmes.comuneId,
        balance: sql<number>`coalesce(sum(case when ${voucherLedger.kind} in ('issue', 'adjustment') then ${voucherLedger.hours} else -${voucherLedger.hours} end), 0)::int`,
      })
      .from(programmes)
      .innerJoin(voucherLedger, eq(voucherLedger.programmeId, programmes.id))
      .where(eq(programmes.status, 'active'))
      .groupBy(programmes.id, programmes.comuneId);
    const positive = rows.filter((r) => Number(r.balance) > 0);
    expect(positive.length).toBe(rows.length);
    expect(new Set(positive.map((r) => r.comuneId)).size).toBeGreaterThanOrEqual(5);
    const visitRows = await db().select({ id: visits.id, status: visits.status, startsAt: visits.startsAt, hours: visits.hours }).from(visits).where(inArray(visits.programmeId, rows.map((r) => r.id)));
    const done = visitRows.filter((v) => v.status === 'done');
    expect(done.length).toBeGreaterThan(0);
    expect(visitRows.some((v) => v.status === 'planned' && v.startsAt.getTime() > Date.now())).toBe(true);
    // Every done visit is redeemed exactly once; every visit keeps to art. 8 (Mon–Sat, 08–20, whole hours).
    const redeemed = await db().select({ visitId: voucherLedger.visitId }).from(voucherLedger).where(eq(voucherLedger.kind, 'redeem'));
    expect(redeemed.map((r) => r.visitId).sort()).toEqual(done.map((v) => v.id).sort());
    for (const v of visitRows) expect(() => checkVisit({ start: v.startsAt.toISOString(), hours: v.hours }, { livesAloneWithoutFamily: false })).not.toThrow();
  });

  it('links the provider account ilsole to Cooperativa Il Sole: its scope is that cooperative’s programmes only', async () => {
    const [user] = await db().select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.username, 'ilsole'));
    const staff = (await prepareHotQueries(db()).loadStaffIdentity(user!.id))!;
    const [sole] = await db().select({ id: resources.id }).from(resources).where(eq(resources.name, DEMO_PROVIDER_NAME));
    expect(staff.resources).toEqual([sole!.id]);
    const visible = await db().select({ resourceId: programmes.resourceId }).from(programmes).where(programmeScopeCondition(staff));
    const all = await db().select({ resourceId: programmes.resourceId }).from(programmes);
    expect(visible.length).toBeGreaterThan(0);
    expect(visible.length).toBeLessThan(all.length);
    for (const p of visible) expect(p.resourceId).toBe(sole!.id);
  });

  it('gives every comune settings: a valid tariff, office hours, an address', async () => {
    const cookie = await t.login('paola');
    for (const c of DEMO_COMUNI) {
      const res = await t.request(`/api/v1/comuni/${c.id}/settings`, { headers: { cookie } });
      expect(res.status, c.id).toBe(200);
      const body = (await res.json()) as { feeTariff: { bands: FeeTariff['bands'] }; officeHours: Record<string, string[]>; officeAddress: string };
      expect(() => validateFeeTariff({ comuneId: c.id, bands: body.feeTariff.bands })).not.toThrow();
      expect(Object.keys(body.officeHours).sort()).toEqual(['1', '2', '3', '4', '5']);
      expect(Object.values(body.officeHours).some((day) => day.length === 2)).toBe(true);
      expect(body.officeAddress).toContain(c.name);
    }
  });

  it('keeps the waiting lists (≥ 10 per comune) and has a delegate with recorded consent', async () => {
    const lists = await db()
      .select({ comuneId: applications.comuneId, n: sql<number>`count(*)::int` })
      .from(applications)
      .where(eq(applications.status, 'waiting_list'))
      .groupBy(applications.comuneId);
    expect(lists).toHaveLength(DEMO_COMUNI.length);
    for (const l of lists) expect(Number(l.n), l.comuneId).toBeGreaterThanOrEqual(10);
    const [franco] = await db().select({ id: people.id }).from(people).where(and(eq(people.givenName, 'Franco'), eq(people.familyName, 'Colombo'), eq(people.birthDate, '1942-06-03')));
    const [delegation] = await db().select({ id: delegations.id }).from(delegations).where(eq(delegations.personId, franco!.id));
    const consent = await db().select({ purpose: consents.purpose }).from(consents).where(eq(consents.delegationId, delegation!.id));
    expect(consent).toEqual([{ purpose: 'delegation' }]);
  });
});
