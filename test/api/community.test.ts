/**
 * Community resources through the HTTP app (issue #9): light on-demand requests offered to,
 * assigned to and scheduled by volunteers (the person hears back in their chat), *Un buono per
 * amico* redemptions in the one voucher ledger (rules, roles, and a race against provider
 * redemptions for the last hours), *Un euro all'ora* assistants and the monthly incentive.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseEvents, channelIdentities, conversations, helpRequests, messages, outboundMessages, programmes, resourceComuni, resources, voucherLedger } from '../../db/schema.ts';
import { volunteerRedemptions } from '../../db/schema-community.ts';
import { createCaseFixtures, ledgerBalance, linkProviderAccount, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';

interface ErrorBody { error: { code: string; rule?: string; fields?: Record<string, string> } }
interface LightBody { lightRequest: { id: string; status: string; resourceId: string | null; scheduledStart: string | null }; contact?: { givenName: string | null } | null }

describe.skipIf(postgresSkipped)('community resources API', () => {
  let t: TestApp;
  let f: CaseFixtures;
  let volunteer: string;
  let helper: string;
  let n = 0;
  const cookies: Record<string, string> = {};
  const as = (user: string) => ({ headers: { cookie: cookies[user]! } });
  const get = (user: string, path: string) => t.request(path, as(user));
  const post = (user: string, path: string, body: unknown) => t.json(path, body, as(user));
  const patch = (user: string, path: string, body: unknown) => t.json(path, body, { ...as(user), method: 'PATCH' });
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

  async function createResource(kind: 'volunteer_association' | 'occasional_helper' | 'family_assistant', services: string[], comuneId = 'albairate') {
    const [r] = await f.db.insert(resources).values({ kind, name: `Amici di Gudo ${++n}`, services }).returning({ id: resources.id });
    await f.db.insert(resourceComuni).values({ resourceId: r!.id, comuneId });
    return r!.id;
  }

  /** An on-demand request from a Telegram chat, for the person of a fresh Albairate file. */
  async function chatRequest(options: { service?: string; kind?: 'visit' | 'on_demand'; personId?: string } = {}) {
    const personId = options.personId ?? f.albairate.personId;
    const [identity] = await f.db.insert(channelIdentities).values({ channel: 'telegram', address: `9000${++n}`, personId }).returning({ id: channelIdentities.id });
    const [conversation] = await f.db.insert(conversations).values({ channel: 'telegram', identityId: identity!.id, comuneId: 'albairate' }).returning({ id: conversations.id });
    const [request] = await f.db
      .insert(helpRequests)
      .values({ reference: `R-C${process.pid}${++n}`, conversationId: conversation!.id, personId, comuneId: 'albairate', kind: options.kind ?? 'on_demand', service: options.service ?? '8A', family: (options.service ?? '8A').charAt(0) })
      .returning({ id: helpRequests.id, reference: helpRequests.reference });
    return { id: request!.id, reference: request!.reference, conversationId: conversation!.id, address: `9000${n - 1}` };
  }

  beforeAll(async () => {
    t = await createTestApp();
    f = await createCaseFixtures(t.db.database.db);
    volunteer = await createResource('volunteer_association', ['8A', 'COMPAGNIA']);
    helper = await createResource('occasional_helper', ['8A']);
    // The provider account also works for the volunteer association (a volunteer's account).
    await linkProviderAccount(f.db, volunteer);
    for (const u of ['paola', 'sara', 'giorgio', 'marco', 'ilsole']) cookies[u] = await t.login(u);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('light on-demand requests', () => {
    it('offers an open light request to the resources that may take it, without names', async () => {
      const req = await chatRequest();
      const open = (await (await get('marco', `/api/v1/light-requests?resourceId=${volunteer}`)).json()) as { lightRequests: { id: string; service: string }[] };
      expect(open.lightRequests.find((r) => r.id === req.id)).toMatchObject({ service: '8A' });
      expect(JSON.stringify(open)).not.toContain('Persona');
      // The accredited provider of the fixtures is no volunteer: nothing is offered to it.
      const provider = (await (await get('marco', `/api/v1/light-requests?resourceId=${f.albairate.resourceId}`)).json()) as { lightRequests: unknown[] };
      expect(provider.lightRequests).toEqual([]);
      const mine = (await (await get('ilsole', '/api/v1/light-requests')).json()) as { lightRequests: { id: string }[] };
      expect(mine.lightRequests.map((r) => r.id)).toContain(req.id);
      expect((await get('giorgio', '/api/v1/light-requests?view=open')).status).toBe(200);
      const other = (await (await get('giorgio', '/api/v1/light-requests')).json()) as { lightRequests: { id: string }[] };
      expect(other.lightRequests.map((r) => r.id)).not.toContain(req.id);
      expect((await get('ilsole', `/api/v1/light-requests?resourceId=${helper}`)).status).toBe(404);
      // Before it takes the request, the volunteer sees no name or address.
      const before = (await (await get('ilsole', `/api/v1/light-requests/${req.id}`)).json()) as LightBody;
      expect(before.contact).toBeNull();
    });

    it('assigns it, records a case event and tells the person in their chat (Telegram queued once)', async () => {
      const req = await chatRequest();
      const res = await post('marco', `/api/v1/light-requests/${req.id}/assignment`, { resourceId: volunteer });
      expect(res.status).toBe(200);
      expect(((await res.json()) as LightBody).lightRequest).toMatchObject({ status: 'assigned', resourceId: volunteer });
      const notes = await f.db.select().from(messages).where(eq(messages.conversationId, req.conversationId));
      expect(notes).toHaveLength(1);
      expect(notes[0]!.body).toContain(req.reference);
      expect(notes[0]!.body).toMatch(/Amici di Gudo/);
      const queued = await f.db.select().from(outboundMessages).where(eq(outboundMessages.conversationId, req.conversationId));
      expect(queued.map((q) => [q.purpose, q.address, q.dedupeKey])).toEqual([['notice', req.address, `msg:${notes[0]!.id}`]]);
      const events = await f.db.select().from(caseEvents).where(and(eq(caseEvents.subjectId, req.id), eq(caseEvents.personId, f.albairate.personId)));
      expect(events.map((e) => e.type)).toEqual(['light_request_assigned']);
      // Taken: a second assignment is a conflict, and the volunteer now sees whom to help.
      const again = await post('paola', `/api/v1/light-requests/${req.id}/assignment`, { resourceId: helper });
      expect(again.status).toBe(409);
      const detail = (await (await get('ilsole', `/api/v1/light-requests/${req.id}`)).json()) as LightBody;
      expect(detail.contact?.givenName).toMatch(/^Persona/);
    });

    it('refuses what is not a light request or a resource that cannot take it (422, rule named), and out of scope (404)', async () => {
      const care = await chatRequest({ service: '2B' });
      const r1 = await post('sara', `/api/v1/light-requests/${care.id}/assignment`, { resourceId: volunteer });
      expect(r1.status).toBe(422);
      expect(((await r1.json()) as ErrorBody).error).toMatchObject({ code: 'NOT_ELIGIBLE', rule: 'servizi leggeri' });
      const visit = await chatRequest({ kind: 'visit' });
      expect((await post('sara', `/api/v1/light-requests/${visit.id}/assignment`, { resourceId: volunteer })).status).toBe(422);
      const req = await chatRequest();
      const r2 = await post('sara', `/api/v1/light-requests/${req.id}/assignment`, { resourceId: f.albairate.resourceId });
      expect(r2.status).toBe(422);
      expect(((await r2.json()) as ErrorBody).error.fields?.resourceId).toBeTruthy();
      const elsewhere = await createResource('volunteer_association', ['8A'], 'abbiategrasso');
      expect((await post('sara', `/api/v1/light-requests/${req.id}/assignment`, { resourceId: elsewhere })).status).toBe(422);
      const company = await chatRequest({ service: 'COMPAGNIA' });
      expect((await post('sara', `/api/v1/light-requests/${company.id}/assignment`, { resourceId: helper })).status).toBe(422);
      expect((await post('giorgio', `/api/v1/light-requests/${req.id}/assignment`, { resourceId: volunteer })).status).toBe(404);
      // A volunteer account takes requests only for itself.
      const r3 = await post('ilsole', `/api/v1/light-requests/${req.id}/assignment`, { resourceId: helper });
      expect(r3.status).toBe(400);
      expect((await post('sara', '/api/v1/light-requests/not-a-uuid/assignment', { resourceId: volunteer })).status).toBe(404);
      expect((await post('sara', `/api/v1/light-requests/${req.id}/assignment`, { resourceId: 'nope' })).status).toBe(400);
      expect((await post('ilsole', `/api/v1/light-requests/${req.id}/assignment`, { resourceId: volunteer })).status).toBe(200);
    });

    it('lets only one of two racing volunteers take a request', async () => {
      const req = await chatRequest();
      const results = await Promise.all([
        post('marco', `/api/v1/light-requests/${req.id}/assignment`, { resourceId: volunteer }),
        post('paola', `/api/v1/light-requests/${req.id}/assignment`, { resourceId: helper }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const notes = await f.db.select().from(messages).where(eq(messages.conversationId, req.conversationId));
      expect(notes).toHaveLength(1);
    });

    it('lets the volunteer confirm date and time, in the future only, and tells the person', async () => {
      const req = await chatRequest();
      expect((await post('marco', `/api/v1/light-requests/${req.id}/schedule`, { startsAt: `${day(2)}T10:00` })).status).toBe(409);
      expect((await post('ilsole', `/api/v1/light-requests/${req.id}/assignment`, { resourceId: volunteer })).status).toBe(200);
      const past = await post('ilsole', `/api/v1/light-requests/${req.id}/schedule`, { startsAt: `${day(-1)}T10:00` });
      expect(past.status).toBe(400);
      expect(Object.keys(((await past.json()) as ErrorBody).error.fields ?? {})).toEqual(['startsAt']);
      expect((await post('ilsole', `/api/v1/light-requests/${req.id}/schedule`, { startsAt: 'domani' })).status).toBe(400);
      const res = await post('ilsole', `/api/v1/light-requests/${req.id}/schedule`, { startsAt: `${day(2)}T10:00` });
      expect(res.status).toBe(200);
      expect(((await res.json()) as LightBody).lightRequest.status).toBe('scheduled');
      const notes = await f.db.select().from(messages).where(eq(messages.conversationId, req.conversationId));
      expect(notes.at(-1)!.body).toContain('10:00');
      const events = await f.db.select({ type: caseEvents.type }).from(caseEvents).where(eq(caseEvents.subjectId, req.id));
      expect(events.map((e) => e.type).sort()).toEqual(['light_request_assigned', 'light_request_scheduled']);
      // Another volunteer's request is not this account's to schedule.
      const other = await chatRequest();
      await post('marco', `/api/v1/light-requests/${other.id}/assignment`, { resourceId: helper });
      expect((await post('ilsole', `/api/v1/light-requests/${other.id}/schedule`, { startsAt: `${day(2)}T11:00` })).status).toBe(404);
      expect((await post('marco', `/api/v1/light-requests/${other.id}/schedule`, { startsAt: `${day(2)}T11:00` })).status).toBe(200);
    });

    it('lets the volunteer give a request back: it is open again, the person is told, and another volunteer can take it', async () => {
      const release = (user: string, id: string) => t.request(`/api/v1/light-requests/${id}/assignment`, { ...as(user), method: 'DELETE' });
      const req = await chatRequest();
      // Nothing to give back before someone took it.
      expect((await release('marco', req.id)).status).toBe(409);
      expect((await post('ilsole', `/api/v1/light-requests/${req.id}/assignment`, { resourceId: volunteer })).status).toBe(200);
      expect((await post('ilsole', `/api/v1/light-requests/${req.id}/schedule`, { startsAt: `${day(2)}T10:00` })).status).toBe(200);
      // Out of scope for a social worker of other comuni.
      expect((await release('giorgio', req.id)).status).toBe(404);

      const res = await release('ilsole', req.id);
      expect(res.status).toBe(200);
      expect(((await res.json()) as LightBody).lightRequest).toMatchObject({ status: 'new', resourceId: null, scheduledStart: null });
      const notes = await f.db.select().from(messages).where(eq(messages.conversationId, req.conversationId));
      expect(notes.at(-1)!.body).toContain(req.reference);
      expect(notes.at(-1)!.body).toMatch(/Amici di Gudo \d+ non potrà venire/);
      const queued = await f.db.select().from(outboundMessages).where(eq(outboundMessages.conversationId, req.conversationId));
      expect(queued.map((q) => q.dedupeKey)).toContain(`msg:${notes.at(-1)!.id}`);
      const events = await f.db.select().from(caseEvents).where(eq(caseEvents.subjectId, req.id));
      const released = events.find((e) => e.type === 'light_request_released');
      expect(released?.payload).toMatchObject({ resourceId: volunteer, scheduledStart: expect.stringMatching(/^\d{4}-/) });
      // Given back once: a second release is a conflict, and the request is on the open list again.
      expect((await release('ilsole', req.id)).status).toBe(409);
      const open = (await (await get('marco', `/api/v1/light-requests?resourceId=${helper}`)).json()) as { lightRequests: { id: string }[] };
      expect(open.lightRequests.map((r) => r.id)).toContain(req.id);
      // Another volunteer takes it; its assignment is a case event of its own.
      expect((await post('marco', `/api/v1/light-requests/${req.id}/assignment`, { resourceId: helper })).status).toBe(200);
      const after = await f.db.select({ type: caseEvents.type }).from(caseEvents).where(eq(caseEvents.subjectId, req.id));
      expect(after.map((e) => e.type).sort()).toEqual(['light_request_assigned', 'light_request_assigned', 'light_request_released', 'light_request_scheduled']);
      // The first volunteer can no longer give back what another resource now holds.
      expect((await release('ilsole', req.id)).status).toBe(404);
    });
  });

  describe('Un buono per amico', () => {
    async function fileWith8A(issuedHours = 40) {
      const file = await f.createFile('albairate', { issuedHours });
      // Started ten days ago, so that yesterday's delivery is inside the programme (art. 11).
      await f.db.update(programmes).set({ services: ['2B', '6A', '8A'], periodStart: day(-10) }).where(eq(programmes.id, file.programmeId));
      return file;
    }
    const yesterday = () => `${day(-1)}T10:00`;

    it('redeems whole hours in the same ledger and records who delivered which service', async () => {
      const file = await fileWith8A();
      const res = await post('sara', `/api/v1/programmes/${file.programmeId}/volunteer-redemptions`, { hours: 2, deliveredAt: yesterday(), resourceId: volunteer, service: '8a' });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { id: number; kind: string; hours: number; resourceId: string; service: string; balanceHours: number };
      expect(body).toMatchObject({ kind: 'redeem', hours: 2, resourceId: volunteer, service: '8A', balanceHours: 38 });
      expect(await ledgerBalance(f.db, file.programmeId)).toBe(38);
      const [row] = await f.db.select().from(volunteerRedemptions).where(eq(volunteerRedemptions.ledgerEntryId, body.id));
      expect(row).toMatchObject({ programmeId: file.programmeId, resourceId: volunteer, service: '8A', comuneId: 'albairate' });
      const list = (await (await get('sara', `/api/v1/programmes/${file.programmeId}/volunteer-redemptions`)).json()) as { redemptions: { ledgerEntryId: number }[] };
      expect(list.redemptions.map((r) => r.ledgerEntryId)).toEqual([body.id]);
    });

    it('refuses fractional hours (400 art. 11), services the comune does not allow (422 named rule), overdraw (409)', async () => {
      const file = await fileWith8A(3);
      const url = `/api/v1/programmes/${file.programmeId}/volunteer-redemptions`;
      const frac = await post('sara', url, { hours: 1.5, deliveredAt: yesterday(), resourceId: volunteer, service: '8A' });
      expect(frac.status).toBe(400);
      expect(((await frac.json()) as ErrorBody).error.rule).toBe('art. 11');
      const company = await post('sara', url, { hours: 1, deliveredAt: yesterday(), resourceId: volunteer, service: 'COMPAGNIA' });
      expect(company.status).toBe(422);
      expect(((await company.json()) as ErrorBody).error).toMatchObject({ code: 'NOT_ELIGIBLE', rule: 'un buono per amico' });
      expect((await post('sara', url, { hours: 1, deliveredAt: yesterday(), resourceId: helper, service: '8A' })).status).toBe(422);
      const over = await post('sara', url, { hours: 4, deliveredAt: yesterday(), resourceId: volunteer, service: '8A' });
      expect(over.status).toBe(409);
      expect(((await over.json()) as ErrorBody).error.code).toBe('INSUFFICIENT_BALANCE');
      expect((await post('sara', url, { hours: 1, deliveredAt: `${day(2)}T10:00`, resourceId: volunteer, service: '8A' })).status).toBe(400);
      // The comune withdraws 8A from Un buono per amico: refused, naming the rule; then restored.
      expect((await patch('sara', '/api/v1/comuni/albairate/community-settings', { volunteerVoucherServices: [] })).status).toBe(200);
      const withdrawn = await post('sara', url, { hours: 1, deliveredAt: yesterday(), resourceId: volunteer, service: '8A' });
      expect(withdrawn.status).toBe(422);
      expect(((await withdrawn.json()) as ErrorBody).error.rule).toBe('un buono per amico');
      expect((await patch('sara', '/api/v1/comuni/albairate/community-settings', { volunteerVoucherServices: ['8a'] })).status).toBe(200);
      expect(await ledgerBalance(f.db, file.programmeId)).toBe(3);
    });

    it('lets a volunteer account redeem only for people it took a request for; operators never', async () => {
      const file = await fileWith8A();
      const body = { hours: 1, deliveredAt: yesterday(), resourceId: volunteer, service: '8A' };
      const url = `/api/v1/programmes/${file.programmeId}/volunteer-redemptions`;
      expect((await post('ilsole', url, body)).status).toBe(404);
      const req = await chatRequest({ personId: file.personId });
      expect((await post('marco', `/api/v1/light-requests/${req.id}/assignment`, { resourceId: volunteer })).status).toBe(200);
      expect((await post('ilsole', url, { ...body, resourceId: helper })).status).toBe(400);
      const res = await post('ilsole', url, body);
      expect(res.status).toBe(201);
      const [row] = await f.db.select().from(volunteerRedemptions).where(eq(volunteerRedemptions.programmeId, file.programmeId));
      expect(row!.helpRequestId).toBe(req.id);
      expect((await post('marco', url, body)).status).toBe(403);
      expect((await post('giorgio', url, body)).status).toBe(404);
    });

    it('keeps the ledger invariant when provider and volunteer redemptions race for the last hours', async () => {
      const file = await fileWith8A(5);
      const normal = () => post('sara', `/api/v1/programmes/${file.programmeId}/redemptions`, { hours: 1, deliveredAt: yesterday() });
      const volunteerRedeem = () => post('paola', `/api/v1/programmes/${file.programmeId}/volunteer-redemptions`, { hours: 1, deliveredAt: yesterday(), resourceId: volunteer, service: '8A' });
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? normal() : volunteerRedeem())));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(5);
      expect(statuses.filter((s) => s !== 201).every((s) => s === 409)).toBe(true);
      expect(await ledgerBalance(f.db, file.programmeId)).toBe(0);
      const redeemed = await f.db.select().from(voucherLedger).where(and(eq(voucherLedger.programmeId, file.programmeId), eq(voucherLedger.kind, 'redeem')));
      expect(redeemed).toHaveLength(5);
      const links = await f.db.select().from(volunteerRedemptions).where(eq(volunteerRedemptions.programmeId, file.programmeId));
      expect(links.length).toBe(redeemed.filter((r) => r.resourceId === volunteer).length);
    });
  });

  describe("Un euro all'ora", () => {
    it('records a family assistant and computes the monthly incentive, defaults then comune settings', async () => {
      const file = await f.createFile('albairate');
      const url = `/api/v1/programmes/${file.programmeId}/family-assistants`;
      const created = await post('sara', url, { name: 'Ana', contractStart: '2026-01-01', weeklyHours: 25, employmentReference: 'INPS-123' });
      expect(created.status).toBe(201);
      const list = (await (await get('sara', url)).json()) as { familyAssistants: { name: string; weeklyHours: number }[] };
      expect(list.familyAssistants).toEqual([expect.objectContaining({ name: 'Ana', weeklyHours: 25 })]);
      const settings = (await (await get('sara', '/api/v1/comuni/cisliano/community-settings')).json()) as { incentive: { isDefault: boolean; centsPerHour: number } };
      expect(settings.incentive).toMatchObject({ isDefault: true, centsPerHour: 100 });
      const feb = (await (await get('sara', `/api/v1/programmes/${file.programmeId}/family-assistant-incentive?month=2026-02`)).json()) as { totalCents: number; capped: boolean };
      expect(feb).toMatchObject({ totalCents: 10_000, capped: false });
      expect((await patch('sara', '/api/v1/comuni/albairate/community-settings', { incentive: { centsPerHour: 150, monthlyCapCents: 12_000 } })).status).toBe(200);
      const capped = (await (await get('sara', `/api/v1/programmes/${file.programmeId}/family-assistant-incentive?month=2026-02`)).json()) as { uncappedCents: number; totalCents: number; capped: boolean };
      expect(capped).toMatchObject({ uncappedCents: 15_000, totalCents: 12_000, capped: true });
      expect((await get('sara', `/api/v1/programmes/${file.programmeId}/family-assistant-incentive?month=2026-2`)).status).toBe(400);
    });

    it('rejects bad records field by field and keeps roles and scope', async () => {
      const file = await f.createFile('albairate');
      const url = `/api/v1/programmes/${file.programmeId}/family-assistants`;
      const bad = await post('sara', url, { contractStart: '2026-02-30', weeklyHours: 60, employmentReference: 'x' });
      expect(bad.status).toBe(400);
      expect(Object.keys(((await bad.json()) as ErrorBody).error.fields ?? {}).sort()).toEqual(['contractStart', 'name', 'weeklyHours']);
      const notAssistant = await post('sara', url, { resourceId: volunteer, contractStart: '2026-01-01', weeklyHours: 20, employmentReference: 'x' });
      expect(notAssistant.status).toBe(400);
      const assistant = await createResource('family_assistant', []);
      expect((await post('sara', url, { resourceId: assistant, contractStart: '2026-01-01', weeklyHours: 20, employmentReference: 'x' })).status).toBe(201);
      expect((await post('marco', url, { name: 'Ana', contractStart: '2026-01-01', weeklyHours: 20, employmentReference: 'x' })).status).toBe(403);
      expect((await post('giorgio', url, { name: 'Ana', contractStart: '2026-01-01', weeklyHours: 20, employmentReference: 'x' })).status).toBe(404);
      expect((await patch('sara', '/api/v1/comuni/albairate/community-settings', { incentive: { centsPerHour: 1.5, monthlyCapCents: -1 } })).status).toBe(400);
      expect((await patch('sara', '/api/v1/comuni/albairate/community-settings', { volunteerVoucherServices: ['ZZ'] })).status).toBe(400);
      expect((await patch('giorgio', '/api/v1/comuni/albairate/community-settings', { volunteerVoucherServices: [] })).status).toBe(404);
    });
  });
});
