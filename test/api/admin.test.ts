/**
 * Administration through the real HTTP app: staff accounts, comune settings, the ISTAT over-65
 * import, budgets with their art. 15 allocation and the year-end redistribution.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOOR_HOURS_PER_WEEK } from '../../core/regulation/allocation.ts';
import { auditLog, comuni, comuneSettings, staffUsers, voucherLedger } from '../../db/schema.ts';
import { createCaseFixtures, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';

const fixture = readFileSync(path.resolve(import.meta.dirname, '../fixtures/istat/popolazione-eta-abbiatense-2024.csv'), 'utf8');

interface ErrorBody { error: { code: string; message: string; rule?: string; fields?: Record<string, string> } }
interface Staff { id: string; username: string; role: string; active: boolean; comuni: string[]; resources: string[] }
interface Settings { comuneId: string; patronDay: string | null; officeHours: Record<string, string[]> | null; feeTariff: { bands: unknown[] } | null; onCallStaffId: string | null; extraServices: { code: string }[]; volunteerVoucherServices: string[]; officeAddress: string | null }

describe.skipIf(postgresSkipped)('administration API', () => {
  let t: TestApp;
  let f: CaseFixtures;
  const cookies: Record<string, string> = {};
  const as = (user: string, init: RequestInit = {}) => ({ ...init, headers: { cookie: cookies[user]!, ...(init.headers as Record<string, string>) } });
  const get = (user: string, url: string) => t.request(url, as(user));
  const send = (user: string, method: string, url: string, body: unknown) => t.json(url, body, as(user, { method }));
  const db = () => t.db.database.db;

  beforeAll(async () => {
    t = await createTestApp();
    f = await createCaseFixtures(t.db.database.db);
    for (const u of ['paola', 'sara', 'giorgio', 'marco', 'ilsole']) cookies[u] = await t.login(u);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('staff accounts', () => {
    it('lists the accounts with their comuni and resources, to admins only', async () => {
      const res = await get('paola', '/api/v1/admin/staff');
      expect(res.status).toBe(200);
      const { staff } = (await res.json()) as { staff: Staff[] };
      const sara = staff.find((s) => s.username === 'sara')!;
      expect(sara).toMatchObject({ role: 'social_worker', active: true, comuni: ['albairate', 'cisliano'], resources: [] });
      expect(staff.find((s) => s.username === 'ilsole')!.resources).toContain(f.albairate.resourceId);
      expect(JSON.stringify(staff)).not.toMatch(/passwordHash|argon/);
      expect((await get('sara', '/api/v1/admin/staff')).status).toBe(403);
    });

    it('creates an account whose generated password works once shown, and is never logged', async () => {
      const res = await send('paola', 'POST', '/api/v1/admin/staff', { username: 'Lucia.SW', displayName: 'Lucia (assistente sociale, Rosate)', role: 'social_worker', comuni: ['rosate', 'rosate'] });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { staff: Staff; password: string };
      expect(body.staff).toMatchObject({ username: 'Lucia.SW', role: 'social_worker', comuni: ['rosate'], active: true });
      expect(body.password.length).toBeGreaterThanOrEqual(20);
      const login = await t.json('/api/v1/auth/login', { username: 'lucia.sw', password: body.password });
      expect(login.status).toBe(200);
      expect(t.logs.join('\n')).not.toContain(body.password);
      const dup = await send('paola', 'POST', '/api/v1/admin/staff', { username: 'LUCIA.sw', displayName: 'Altra', role: 'operator' });
      expect(dup.status).toBe(409);
      expect(((await dup.json()) as ErrorBody).error.fields).toHaveProperty('username');
    });

    it('refuses inconsistent accounts with every field named', async () => {
      const cases: [unknown, string][] = [
        [{ username: 'nocomune', displayName: 'X', role: 'social_worker' }, 'comuni'],
        [{ username: 'noresource', displayName: 'X', role: 'provider' }, 'resources'],
        [{ username: 'badcomune', displayName: 'X', role: 'operator', comuni: ['milano'] }, 'comuni.0'],
        [{ username: 'opres', displayName: 'X', role: 'operator', resources: [f.albairate.resourceId] }, 'resources'],
        [{ username: 'badres', displayName: 'X', role: 'provider', resources: ['00000000-0000-4000-8000-000000000000'] }, 'resources.0'],
        [{ username: 'x', displayName: 'X', role: 'operator' }, 'username'],
        [{ username: 'bad role', displayName: 'X', role: 'operator' }, 'username'],
        [{ username: 'rolex', displayName: 'X', role: 'superuser' }, 'role'],
        [{ username: 'extra', displayName: 'X', role: 'operator', password: 'mine' }, 'password'],
      ];
      for (const [body, field] of cases) {
        const res = await send('paola', 'POST', '/api/v1/admin/staff', body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(((await res.json()) as ErrorBody).error.fields, JSON.stringify(body)).toHaveProperty([field]);
      }
      const names = (await db().select({ u: staffUsers.username }).from(staffUsers)).map((r) => r.u);
      expect(names).not.toContain('nocomune');
      expect(names).not.toContain('badres');
    });

    it('changes role, comuni and resources; a role change away from provider drops the resources', async () => {
      const created = (await (await send('paola', 'POST', '/api/v1/admin/staff', { username: 'coop.op', displayName: 'Operatore coop', role: 'provider', resources: [f.albairate.resourceId] })).json()) as { staff: Staff };
      const id = created.staff.id;
      const res = await send('paola', 'PATCH', `/api/v1/admin/staff/${id}`, { role: 'social_worker', comuni: ['gaggiano', 'rosate'] });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { staff: Staff }).staff).toMatchObject({ role: 'social_worker', comuni: ['gaggiano', 'rosate'], resources: [] });
      const empty = await send('paola', 'PATCH', `/api/v1/admin/staff/${id}`, { comuni: [] });
      expect(empty.status).toBe(400);
      for (const bad of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
        expect((await send('paola', 'PATCH', `/api/v1/admin/staff/${bad}`, { displayName: 'X' })).status).toBe(404);
      }
    });

    it('resets a password: a new one returned once, the old one and its sessions end', async () => {
      const created = (await (await send('paola', 'POST', '/api/v1/admin/staff', { username: 'pw.reset', displayName: 'Reset', role: 'operator', comuni: ['rosate'] })).json()) as { staff: Staff; password: string };
      const cookie = ((await t.json('/api/v1/auth/login', { username: 'pw.reset', password: created.password })).headers.get('set-cookie') ?? '').split(';')[0]!;
      const res = await t.request(`/api/v1/admin/staff/${created.staff.id}/password`, as('paola', { method: 'POST' }));
      expect(res.status).toBe(200);
      const { password } = (await res.json()) as { password: string };
      expect(password).not.toBe(created.password);
      expect((await t.request('/api/v1/auth/me', { headers: { cookie } })).status).toBe(401);
      expect((await t.json('/api/v1/auth/login', { username: 'pw.reset', password: created.password })).status).toBe(401);
      expect((await t.json('/api/v1/auth/login', { username: 'pw.reset', password })).status).toBe(200);
      expect(t.logs.join('\n')).not.toContain(password);
      expect((await t.request('/api/v1/admin/staff/00000000-0000-4000-8000-000000000000/password', as('paola', { method: 'POST' }))).status).toBe(404);
    });

    it('deactivating ends the sessions at once; an admin cannot deactivate themselves or change their own role', async () => {
      const created = (await (await send('paola', 'POST', '/api/v1/admin/staff', { username: 'temp.op', displayName: 'Temporaneo', role: 'operator', comuni: ['albairate'] })).json()) as { staff: Staff; password: string };
      const login = await t.json('/api/v1/auth/login', { username: 'temp.op', password: created.password });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      expect((await t.request('/api/v1/auth/me', { headers: { cookie } })).status).toBe(200);
      const res = await send('paola', 'PATCH', `/api/v1/admin/staff/${created.staff.id}`, { active: false });
      expect(res.status).toBe(200);
      expect((await t.request('/api/v1/auth/me', { headers: { cookie } })).status).toBe(401);
      expect((await t.json('/api/v1/auth/login', { username: 'temp.op', password: created.password })).status).toBe(401);
      const [audit] = await db().select().from(auditLog).where(and(eq(auditLog.action, 'staff.deactivate'), eq(auditLog.subjectId, created.staff.id)));
      expect(audit).toBeTruthy();

      const me = (await (await get('paola', '/api/v1/auth/me')).json()) as { id?: string; staff?: { id: string } };
      const myId = me.id ?? me.staff!.id;
      const self = await send('paola', 'PATCH', `/api/v1/admin/staff/${myId}`, { active: false });
      expect(self.status).toBe(400);
      expect(((await self.json()) as ErrorBody).error.fields).toHaveProperty('active');
      expect((await send('paola', 'PATCH', `/api/v1/admin/staff/${myId}`, { role: 'operator' })).status).toBe(400);
      expect((await get('paola', '/api/v1/auth/me')).status).toBe(200);
    });

    it('refuses to deactivate the on-call for emergencies until another is chosen', async () => {
      const created = (await (await send('paola', 'POST', '/api/v1/admin/staff', { username: 'oncall.sw', displayName: 'Reperibile', role: 'social_worker', comuni: ['besate'] })).json()) as { staff: Staff };
      await db().insert(comuneSettings).values({ comuneId: 'besate', onCallStaffId: created.staff.id }).onConflictDoUpdate({ target: comuneSettings.comuneId, set: { onCallStaffId: created.staff.id } });
      const refused = await send('paola', 'PATCH', `/api/v1/admin/staff/${created.staff.id}`, { active: false });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as ErrorBody).error.fields!.active).toMatch(/reperibile per le urgenze di Besate/);
      await db().update(comuneSettings).set({ onCallStaffId: null }).where(eq(comuneSettings.comuneId, 'besate'));
      expect((await send('paola', 'PATCH', `/api/v1/admin/staff/${created.staff.id}`, { active: false })).status).toBe(200);
    });
  });

  describe('comune settings', () => {
    it('are read by admins, social workers and operators of the comune; others get 404 or 403', async () => {
      const res = await get('sara', '/api/v1/comuni/albairate/settings');
      expect(res.status).toBe(200);
      expect(((await res.json()) as Settings).comuneId).toBe('albairate');
      expect((await get('sara', '/api/v1/comuni/abbiategrasso/settings')).status).toBe(404);
      expect((await get('marco', '/api/v1/comuni/abbiategrasso/settings')).status).toBe(200);
      expect((await get('ilsole', '/api/v1/comuni/albairate/settings')).status).toBe(403);
      expect((await get('paola', '/api/v1/comuni/milano/settings')).status).toBe(404);
    });

    it('saves a tariff, office hours, patron day, extra and volunteer services, the on-call social worker', async () => {
      const [sara] = await db().select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.username, 'sara'));
      const body = {
        feeTariff: { bands: [{ upToIseeCents: 800_000, centsPerHour: 0 }, { upToIseeCents: 1_500_000, centsPerHour: 300 }, { upToIseeCents: null, centsPerHour: 800 }] },
        officeHours: { '1': ['14:30-17:00', '08:30-12:30'], '4': ['08:30-12:30'] },
        patronDay: '06-29',
        officeAddress: 'Piazza del Municipio, ufficio servizi sociali',
        extraServices: [{ code: 'acc-scuola', name: 'Accompagnamento scolastico' }],
        volunteerVoucherServices: ['8a', 'ACC-SCUOLA'],
        onCallStaffId: sara!.id,
      };
      const res = await send('paola', 'PATCH', '/api/v1/comuni/albairate/settings', body);
      expect(res.status).toBe(200);
      const saved = (await res.json()) as Settings;
      expect(saved).toMatchObject({
        patronDay: '06-29', officeHours: { '1': ['08:30-12:30', '14:30-17:00'], '4': ['08:30-12:30'] }, feeTariff: body.feeTariff,
        extraServices: [{ code: 'ACC-SCUOLA', name: 'Accompagnamento scolastico' }], volunteerVoucherServices: ['8A', 'ACC-SCUOLA'], onCallStaffId: sara!.id,
      });
      // Only the fields sent change.
      const again = (await (await send('paola', 'PATCH', '/api/v1/comuni/albairate/settings', { patronDay: null })).json()) as Settings;
      expect(again.patronDay).toBeNull();
      expect(again.feeTariff).toEqual(body.feeTariff);
      const [audit] = await db().select().from(auditLog).where(and(eq(auditLog.action, 'comune_settings.update'), eq(auditLog.subjectId, 'albairate')));
      expect(audit).toBeTruthy();
    });

    it('drops a removed extra service from the volunteer vouchers', async () => {
      const res = await send('paola', 'PATCH', '/api/v1/comuni/albairate/settings', { extraServices: [] });
      expect(res.status).toBe(200);
      expect((await res.json()) as Settings).toMatchObject({ extraServices: [], volunteerVoucherServices: ['8A'] });
    });

    it('refuses bad settings with the article or the field, and saves nothing', async () => {
      const [before] = await db().select().from(comuneSettings).where(eq(comuneSettings.comuneId, 'cisliano'));
      const [comuneBefore] = await db().select().from(comuni).where(eq(comuni.id, 'cisliano'));
      const [giorgio] = await db().select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.username, 'giorgio'));
      const cases: [unknown, string, string | undefined][] = [
        [{ feeTariff: { bands: [{ upToIseeCents: 900_000, centsPerHour: 100 }, { upToIseeCents: 800_000, centsPerHour: 200 }, { upToIseeCents: null, centsPerHour: 2.5 }] } }, 'feeTariff.bands.1.upToIseeCents', 'art. 14'],
        [{ feeTariff: { bands: [{ upToIseeCents: 900_000, centsPerHour: 100 }] } }, 'feeTariff.bands.0.upToIseeCents', 'art. 14'],
        [{ officeHours: { '1': ['25:00-26:00'] } }, 'officeHours.1.0', undefined],
        [{ officeHours: { '2': ['08:00-12:00', '11:00-13:00'] } }, 'officeHours.2', undefined],
        [{ patronDay: '02-30' }, 'patronDay', undefined],
        [{ extraServices: [{ code: '8B', name: 'Sembra un servizio art. 7' }] }, 'extraServices.0.code', 'art. 7'],
        [{ volunteerVoucherServices: ['ZZZ'] }, 'volunteerVoucherServices.0', undefined],
        [{ onCallStaffId: giorgio!.id }, 'onCallStaffId', undefined],
        [{ onCallStaffId: 'nobody' }, 'onCallStaffId', undefined],
        [{ tariff: {} }, 'tariff', undefined],
      ];
      for (const [body, field, rule] of cases) {
        const res = await send('paola', 'PATCH', '/api/v1/comuni/cisliano/settings', { officeAddress: 'Da non salvare', ...(body as object) });
        expect(res.status, JSON.stringify(body)).toBe(400);
        const err = ((await res.json()) as ErrorBody).error;
        expect(err.fields, JSON.stringify(body)).toHaveProperty([field]);
        expect(err.rule).toBe(rule);
      }
      expect((await db().select().from(comuneSettings).where(eq(comuneSettings.comuneId, 'cisliano')))[0]).toEqual(before);
      expect((await db().select().from(comuni).where(eq(comuni.id, 'cisliano')))[0]).toEqual(comuneBefore);
      expect((await send('sara', 'PATCH', '/api/v1/comuni/albairate/settings', { patronDay: '06-29' })).status).toBe(403);
      expect((await send('paola', 'PATCH', '/api/v1/comuni/milano/settings', { patronDay: '06-29' })).status).toBe(404);
    });
  });

  describe('ISTAT over-65 import', () => {
    it('previews without saving, then commits as text/csv, audited', async () => {
      const before = await db().select({ id: comuni.id, over65: comuni.over65, illustrative: comuni.over65Illustrative }).from(comuni);
      const preview = await send('paola', 'POST', '/api/v1/admin/over65-import', { csv: fixture });
      expect(preview.status).toBe(200);
      const body = (await preview.json()) as { committed: boolean; comuni: { comuneId: string; over65: number; over65Before: number }[]; unknown: string[]; missing: string[] };
      expect(body.committed).toBe(false);
      expect(body.comuni).toHaveLength(14);
      expect(body.unknown).toEqual(['Robecco sul Naviglio']);
      expect(body.missing).toEqual([]);
      expect(await db().select({ id: comuni.id, over65: comuni.over65, illustrative: comuni.over65Illustrative }).from(comuni)).toEqual(before);

      const commit = await t.request('/api/v1/admin/over65-import?commit=true', as('paola', { method: 'POST', headers: { 'content-type': 'text/csv; charset=utf-8' }, body: fixture }));
      expect(commit.status).toBe(200);
      const committed = (await commit.json()) as typeof body;
      expect(committed.committed).toBe(true);
      const after = await db().select({ id: comuni.id, over65: comuni.over65, illustrative: comuni.over65Illustrative }).from(comuni);
      for (const c of committed.comuni) expect(after.find((a) => a.id === c.comuneId)).toEqual({ id: c.comuneId, over65: c.over65, illustrative: false });
      const [audit] = await db().select().from(auditLog).where(eq(auditLog.action, 'over65.import')).orderBy(desc(auditLog.id));
      expect(audit?.reason).toContain('abbiategrasso');
    });

    it('refuses garbage, wrong media types and oversize bodies with a clear message, saving nothing', async () => {
      const before = await db().select({ id: comuni.id, over65: comuni.over65 }).from(comuni);
      const garbage = await t.request('/api/v1/admin/over65-import?commit=true', as('paola', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'questo non è\nun file ISTAT' }));
      expect(garbage.status).toBe(400);
      expect(((await garbage.json()) as ErrorBody).error.message).toMatch(/intestazione ISTAT/);
      const badLines = await send('paola', 'POST', '/api/v1/admin/over65-import?commit=true', { csv: 'Comune;Età;Totale\nAlbairate;65;12\nAlbairate;66;molti\n' });
      expect(badLines.status).toBe(400);
      expect(((await badLines.json()) as ErrorBody).error.fields).toHaveProperty(['csv.line.3']);
      const unknownOnly = await send('paola', 'POST', '/api/v1/admin/over65-import?commit=true', { csv: 'Comune;Età;Totale\nMilano;65;12\n' });
      expect(unknownOnly.status).toBe(400);
      const xml = await t.request('/api/v1/admin/over65-import', as('paola', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<csv/>' }));
      expect(xml.status).toBe(415);
      const huge = await t.request('/api/v1/admin/over65-import', as('paola', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: fixture + fixture }));
      expect(huge.status).toBe(413);
      expect(await db().select({ id: comuni.id, over65: comuni.over65 }).from(comuni)).toEqual(before);
      expect((await send('sara', 'POST', '/api/v1/admin/over65-import', { csv: fixture })).status).toBe(403);
    });
  });

  describe('budgets and allocations (art. 15)', () => {
    it('saves a budget with an allocation that adds up, replaces it when saved again (audited)', async () => {
      expect((await get('paola', '/api/v1/admin/budgets/2093')).status).toBe(404);
      const first = await send('paola', 'PUT', '/api/v1/admin/budgets/2093', { totalHours: 60_001, weeks: 52 });
      expect(first.status).toBe(200);
      const budget = (await first.json()) as { totalHours: number; allocations: { comuneId: string; hours: number }[]; redistribution: null };
      expect(budget.allocations).toHaveLength(14);
      expect(budget.allocations.reduce((s, a) => s + a.hours, 0)).toBe(60_001);
      for (const a of budget.allocations) expect(a.hours).toBeGreaterThanOrEqual(FLOOR_HOURS_PER_WEEK * 52);
      expect(budget.redistribution).toBeNull();
      const second = (await (await send('paola', 'PUT', '/api/v1/admin/budgets/2093', { totalHours: 50_000, weeks: 50 })).json()) as typeof budget;
      expect(second.allocations.reduce((s, a) => s + a.hours, 0)).toBe(50_000);
      const read = (await (await get('paola', '/api/v1/admin/budgets/2093')).json()) as typeof budget;
      expect(read).toEqual(second);
      const [audit] = await db().select().from(auditLog).where(and(eq(auditLog.action, 'budget.replace'), eq(auditLog.subjectId, '2093')));
      expect(audit?.reason).toContain('previous=60001h/52w');
    });

    it('refuses a budget below the floors (art. 15) or fractional, saving nothing', async () => {
      const low = await send('paola', 'PUT', '/api/v1/admin/budgets/2094', { totalHours: 100, weeks: 52 });
      expect(low.status).toBe(400);
      const err = ((await low.json()) as ErrorBody).error;
      expect(err.rule).toBe('art. 15');
      expect(err.fields).toHaveProperty('totalHours');
      expect((await send('paola', 'PUT', '/api/v1/admin/budgets/2094', { totalHours: 10_000.5, weeks: 52 })).status).toBe(400);
      expect((await send('paola', 'PUT', '/api/v1/admin/budgets/1999', { totalHours: 10_000, weeks: 52 })).status).toBe(400);
      expect((await get('paola', '/api/v1/admin/budgets/2094')).status).toBe(404);
    });

    it('redistributes unspent hours from the ledger by activity and need, then closes the year', async () => {
      // Activity in 2095: only Albairate's programme used its vouchers.
      await db().insert(voucherLedger).values([
        { programmeId: f.albairate.programmeId, kind: 'issue', hours: 200, on: '2095-03-02' },
        { programmeId: f.albairate.programmeId, kind: 'redeem', hours: 50, on: '2095-03-10' },
      ]);
      const saved = (await (await send('paola', 'PUT', '/api/v1/admin/budgets/2095', { totalHours: 70, weeks: 1 })).json()) as { allocations: { hours: number }[] };
      expect(saved.allocations.every((a) => a.hours === 5)).toBe(true);
      const dry = await send('paola', 'POST', '/api/v1/admin/budgets/2095/redistribution', { dryRun: true });
      expect(dry.status).toBe(200);
      const result = (await dry.json()) as { saved: boolean; poolHours: number; unassignedHours: number; shares: { comuneId: string; usedHours: number; needHours: number; receivedHours: number; finalHours: number }[] };
      expect(result.saved).toBe(false);
      expect(result.poolHours).toBe(65);
      const albairate = result.shares.find((s) => s.comuneId === 'albairate')!;
      expect(albairate.usedHours).toBe(50);
      expect(albairate.needHours).toBeGreaterThanOrEqual(200);
      expect(albairate).toMatchObject({ receivedHours: 65, finalHours: 70 });
      expect(result.unassignedHours).toBe(0);
      expect(((await (await get('paola', '/api/v1/admin/budgets/2095')).json()) as { redistribution: unknown }).redistribution).toBeNull();

      // Saved only once the year is over (art. 15: what was not spent "within the year").
      const early = await send('paola', 'POST', '/api/v1/admin/budgets/2095/redistribution', {});
      expect(early.status).toBe(409);
      expect(((await early.json()) as ErrorBody).error).toMatchObject({ rule: 'art. 15', message: expect.stringMatching(/a fine anno/) });
      t.setNow(new Date('2096-01-02T09:00:00Z'));
      cookies.paola = await t.login('paola'); // the session of 2026 is long expired in 2096
      const real = (await (await send('paola', 'POST', '/api/v1/admin/budgets/2095/redistribution', {})).json()) as typeof result;
      expect(real.saved).toBe(true);
      const read = (await (await get('paola', '/api/v1/admin/budgets/2095')).json()) as { redistribution: { comuneId: string; hours: number }[] };
      expect(read.redistribution.find((r) => r.comuneId === 'albairate')!.hours).toBe(70);
      expect(read.redistribution.reduce((s, r) => s + r.hours, 0)).toBe(70);
      const closed = await send('paola', 'PUT', '/api/v1/admin/budgets/2095', { totalHours: 80, weeks: 1 });
      expect(closed.status).toBe(409);
      expect((await send('paola', 'POST', '/api/v1/admin/budgets/2096/redistribution', {})).status).toBe(404);
      t.setNow(undefined);
      cookies.paola = await t.login('paola');
    });
  });
});
