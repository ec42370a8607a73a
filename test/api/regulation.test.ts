import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { compareWaitingListEntries } from '../../core/regulation/waiting-list.ts';
import { applications, auditLog } from '../../db/schema.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';

interface Entry { position: number; applicationId: string; applicationDate: string; totalPoints: number; autonomyPoints: number }

describe.skipIf(postgresSkipped)('regulation API (art. 5, 6, 15)', () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  const as = (user: string) => ({ headers: { cookie: cookies[user]! } });
  const get = (user: string, path: string) => t.request(path, as(user));
  const post = (user: string, path: string, body: unknown) => t.json(path, body, as(user));

  beforeAll(async () => {
    t = await createTestApp();
    for (const u of ['admin', 'sara', 'marco', 'ilsole', 'paola']) cookies[u] = await t.login(u);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists the 14 comuni to any logged-in staff member, nobody else', async () => {
    expect((await t.request('/api/v1/comuni')).status).toBe(401);
    for (const u of ['sara', 'marco', 'ilsole']) {
      const body = (await (await get(u, '/api/v1/comuni')).json()) as { comuni: { id: string; name: string; over65: number }[] };
      expect(body.comuni).toHaveLength(14);
      expect(body.comuni[0]).toEqual({ id: 'abbiategrasso', name: 'Abbiategrasso', over65: expect.any(Number) });
    }
  });

  describe('assessment preview', () => {
    const criteria = { autonomy: 30, family: 10, network: 3, stress: 8, housing: 2 };

    it('answers 415 with the error body, not 500, to a body that is not JSON', async () => {
      const res = await t.request('/api/v1/assessments/preview', { method: 'POST', headers: { cookie: cookies.sara!, 'content-type': 'text/plain' }, body: 'autonomy=30' });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('scores the criteria and the ISEE band, boundaries exact', async () => {
      const res = await post('sara', '/api/v1/assessments/preview', { criteria, iseeCents: 729_000 });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { criteria: Record<string, number>; total: number; iseeBand: { id: string } };
      expect(body.criteria).toEqual({ ...criteria, economic: 20 });
      expect(body.total).toBe(73);
      const above = (await (await post('sara', '/api/v1/assessments/preview', { criteria, iseeCents: 729_001 })).json()) as { criteria: { economic: number } };
      expect(above.criteria.economic).toBe(18);
      const rich = (await (await post('sara', '/api/v1/assessments/preview', { criteria, iseeCents: 5_000_000 })).json()) as { criteria: { economic: number } };
      expect(rich.criteria.economic).toBe(6);
    });

    it('checks item detail against the criterion points', async () => {
      const ok = await post('sara', '/api/v1/assessments/preview', { criteria: { ...criteria, autonomy: 40 }, iseeCents: 800_000, items: { autonomy: [4, 4, 4, 4, 4, 4, 4, 4, 4, 4] } });
      expect(ok.status).toBe(200);
      const mismatch = await post('sara', '/api/v1/assessments/preview', { criteria, iseeCents: 800_000, items: { autonomy: [4, 4, 4, 4, 4, 4, 4, 4, 4, 4] } });
      expect(mismatch.status).toBe(400);
      expect(((await mismatch.json()) as { error: { rule: string } }).error.rule).toMatch(/^art\. [56]$/);
    });

    it('rejects a criterion over its maximum, negative or non-numeric ISEE, naming the article and the fields', async () => {
      for (const [body, field] of [
        [{ criteria: { ...criteria, autonomy: 41 }, iseeCents: 800_000 }, 'criteria.autonomy'],
        [{ criteria, iseeCents: -1 }, 'iseeCents'],
        [{ criteria, iseeCents: 'tanti' }, 'iseeCents'],
        [{ criteria: { ...criteria, housing: 2.5 }, iseeCents: 800_000 }, 'criteria.housing'],
        [{ criteria: { ...criteria, family: undefined }, iseeCents: 800_000 }, 'criteria.family'],
      ] as const) {
        const res = await post('sara', '/api/v1/assessments/preview', body);
        expect(res.status).toBe(400);
        const { error } = (await res.json()) as { error: { code: string; rule: string; fields: Record<string, string> } };
        expect(error.code).toBe('RULE_VIOLATION');
        expect(error.rule).toMatch(/^art\. [56]$/);
        expect(Object.keys(error.fields)).toContain(field);
      }
      const malformed = await t.request('/api/v1/assessments/preview', { method: 'POST', headers: { cookie: cookies.sara!, 'content-type': 'application/json' }, body: '{"criteria":' });
      expect(malformed.status).toBe(400);
    });

    it('is for social workers and admins only', async () => {
      expect((await post('marco', '/api/v1/assessments/preview', { criteria, iseeCents: 1 })).status).toBe(403);
      expect((await post('ilsole', '/api/v1/assessments/preview', { criteria, iseeCents: 1 })).status).toBe(403);
      expect((await post('admin', '/api/v1/assessments/preview', { criteria, iseeCents: 1 })).status).toBe(200);
      const denied = await t.db.database.db.select({ n: count() }).from(auditLog).where(and(eq(auditLog.outcome, 'denied'), eq(auditLog.reason, 'role')));
      expect(denied[0]!.n).toBeGreaterThanOrEqual(2);
    });
  });

  describe('waiting list', () => {
    async function wholeList(user: string, comune: string, limit: number): Promise<Entry[]> {
      const all: Entry[] = [];
      let cursor: string | null = null;
      do {
        const q: string = `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await get(user, `/api/v1/comuni/${comune}/waiting-list?${q}`);
        expect(res.status).toBe(200);
        const page = (await res.json()) as { entries: Entry[]; nextCursor: string | null };
        all.push(...page.entries);
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    }

    it('serves the art. 6 order with ties, positions 1..n, the same through any page size', async () => {
      const full = await wholeList('sara', 'albairate', 1000);
      expect(full.length).toBeGreaterThan(4);
      expect(full.map((e) => e.position)).toEqual(full.map((_, i) => i + 1));
      const sorted = [...full].sort((a, b) =>
        compareWaitingListEntries(
          { ...a, comuneId: 'albairate' },
          { ...b, comuneId: 'albairate' },
        ),
      );
      expect(full.map((e) => e.applicationId)).toEqual(sorted.map((e) => e.applicationId));
      expect(await wholeList('sara', 'albairate', 3)).toEqual(full);
      // Every demo comune has a non-trivial list with ties on total points, and on autonomy too.
      const comuni = ((await (await get('admin', '/api/v1/comuni')).json()) as { comuni: { id: string }[] }).comuni;
      for (const { id } of comuni) {
        const list = await wholeList('admin', id, 7);
        expect(list.length, id).toBeGreaterThanOrEqual(7);
        expect(list.some((e, i) => i > 0 && list[i - 1]!.totalPoints === e.totalPoints && list[i - 1]!.autonomyPoints !== e.autonomyPoints), id).toBe(true);
        expect(list.some((e, i) => i > 0 && list[i - 1]!.totalPoints === e.totalPoints && list[i - 1]!.autonomyPoints === e.autonomyPoints), id).toBe(true);
      }
    });

    it('counts only applications on the list, and audits the read', async () => {
      const rows = await t.db.database.db.select({ n: count() }).from(applications).where(and(eq(applications.comuneId, 'cisliano'), eq(applications.status, 'waiting_list')));
      expect((await wholeList('sara', 'cisliano', 100)).length).toBe(rows[0]!.n);
      const reads = await t.db.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'waiting_list.read'), eq(auditLog.subjectId, 'cisliano')));
      expect(reads.length).toBeGreaterThan(0);
    });

    it('sends exactly the documented JSON (also for a page past the end) and audits each request once', async () => {
      const audits = async () =>
        (await t.db.database.db.select({ n: count() }).from(auditLog).where(and(eq(auditLog.action, 'waiting_list.read'), eq(auditLog.subjectId, 'albairate'))))[0]!.n;
      const before = await audits();
      const res = await get('sara', '/api/v1/comuni/albairate/waiting-list?limit=2');
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const page = (await res.json()) as { entries: Entry[]; nextCursor: string | null };
      expect(Object.keys(page)).toEqual(['entries', 'nextCursor']);
      expect(page.entries).toHaveLength(2);
      for (const [i, e] of page.entries.entries()) {
        expect(Object.keys(e)).toEqual(['position', 'applicationId', 'applicationDate', 'totalPoints', 'autonomyPoints']);
        expect(e).toMatchObject({ position: i + 1, applicationDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), totalPoints: expect.any(Number), autonomyPoints: expect.any(Number) });
      }
      const second = (await (await get('sara', `/api/v1/comuni/albairate/waiting-list?limit=2&cursor=${page.nextCursor}`)).json()) as { entries: Entry[] };
      expect(second.entries.map((e) => e.position)).toEqual([3, 4]);
      // After the last possible key nothing follows: an empty page of an existing comune, not a 404.
      const end = Buffer.from(JSON.stringify([0, 0, '2999-12-31', 'ffffffff-ffff-4fff-bfff-ffffffffffff', 5])).toString('base64url');
      const empty = await get('sara', `/api/v1/comuni/albairate/waiting-list?cursor=${end}`);
      expect(empty.status).toBe(200);
      expect(await empty.json()).toEqual({ entries: [], nextCursor: null });
      expect(await audits()).toBe(before + 3);
    });

    it('hides other comuni (404), refuses roles without access (403) and bad paging (400)', async () => {
      expect((await get('sara', '/api/v1/comuni/abbiategrasso/waiting-list')).status).toBe(404);
      expect((await get('marco', '/api/v1/comuni/albairate/waiting-list')).status).toBe(403);
      expect((await get('ilsole', '/api/v1/comuni/albairate/waiting-list')).status).toBe(403);
      expect((await get('admin', '/api/v1/comuni/atlantide/waiting-list')).status).toBe(404);
      for (const q of ['limit=0', 'limit=1001', 'limit=abc', 'cursor=garbage', 'cursor=WzEsMiwiMjAyNi0wMi0zMCIsImEiLDFd']) {
        const res = await get('sara', `/api/v1/comuni/albairate/waiting-list?${q}`);
        expect(res.status, q).toBe(400);
      }
    });
  });

  describe('allocation preview', () => {
    const comuni = [
      { comuneId: 'abbiategrasso', over65: 7900 },
      { comuneId: 'albairate', over65: 1100 },
      { comuneId: 'besate', over65: 450 },
      { comuneId: 'morimondo', over65: 300 },
    ];

    it('shares the budget exactly, proportionally, with the 5 h/week floor', async () => {
      const res = await post('paola', '/api/v1/allocations/preview', { budgetHours: 10_000, weeks: 52, comuni });
      expect(res.status).toBe(200);
      const { shares } = (await res.json()) as { shares: { comuneId: string; hours: number }[] };
      expect(shares.reduce((s, x) => s + x.hours, 0)).toBe(10_000);
      for (const s of shares) expect(s.hours).toBeGreaterThanOrEqual(5 * 52);
      const by = Object.fromEntries(shares.map((s) => [s.comuneId, s.hours]));
      expect(by.abbiategrasso).toBeGreaterThan(by.albairate!);
    });

    it('refuses a budget below the floors and fractional input, naming art. 15; admins only', async () => {
      const small = await post('paola', '/api/v1/allocations/preview', { budgetHours: 1000, weeks: 52, comuni });
      expect(small.status).toBe(400);
      expect(((await small.json()) as { error: { rule: string } }).error.rule).toBe('art. 15');
      const fractional = await post('paola', '/api/v1/allocations/preview', { budgetHours: 1.5, weeks: 52, comuni });
      expect(fractional.status).toBe(400);
      expect(((await fractional.json()) as { error: { rule: string } }).error.rule).toBe('art. 15');
      expect((await post('sara', '/api/v1/allocations/preview', { budgetHours: 10_000, weeks: 52, comuni })).status).toBe(403);
    });
  });

  describe('programme and visit checks (art. 8, 11)', () => {
    const programme = { services: ['2B', '6A', '8A'], weeklyHours: 6, operators: 1, visitsPerWeek: 3, start: '2026-12-01', plannedEnd: '2027-03-31', providerId: 'il-sole', contractSigned: true };

    it('computes hours issued for a valid programme', async () => {
      const res = await post('sara', '/api/v1/programmes/preview', programme);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { programme: { maxEnd: string; hoursIssued: number } };
      expect(body.programme.maxEnd).toBe('2027-03-31');
      expect(body.programme.hoursIssued).toBe(6 * 18); // 121 days → 18 weeks (partial week counts)
    });

    it('refuses 1.5 hours and an end beyond 4 months with art. 11', async () => {
      for (const [body, field] of [
        [{ ...programme, weeklyHours: 1.5 }, 'weeklyHours'],
        [{ ...programme, plannedEnd: '2027-04-01' }, 'plannedEnd'],
      ] as const) {
        const res = await post('sara', '/api/v1/programmes/preview', body);
        expect(res.status).toBe(400);
        const { error } = (await res.json()) as { error: { rule: string; fields: Record<string, string> } };
        expect(error.rule).toBe('art. 11');
        expect(Object.keys(error.fields)).toContain(field);
      }
    });

    it('refuses a visit at 20:30 and a Sunday for someone not alone with art. 8; warns about holidays', async () => {
      const late = await post('marco', '/api/v1/visits/check', { visits: [{ start: '2026-11-23T20:30', hours: 1 }], livesAloneWithoutFamily: false });
      expect(late.status).toBe(400);
      expect(((await late.json()) as { error: { rule: string } }).error.rule).toBe('art. 8');
      const sunday = await post('marco', '/api/v1/visits/check', { visits: [{ start: '2026-11-22T10:00', hours: 1 }], livesAloneWithoutFamily: false });
      expect(sunday.status).toBe(400);
      expect(((await sunday.json()) as { error: { rule: string; fields: Record<string, string> } }).error.fields['visits.0.start']).toBeDefined();
      const alone = await post('marco', '/api/v1/visits/check', { visits: [{ start: '2026-11-22T10:00', hours: 1 }], livesAloneWithoutFamily: true });
      expect(alone.status).toBe(200);
      const holiday = await post('marco', '/api/v1/visits/check', { visits: [{ start: '2026-10-04T10:00', hours: 1 }], livesAloneWithoutFamily: true });
      expect(((await holiday.json()) as { warnings: unknown[] }).warnings.length).toBe(1);
      const tooMany = await post('marco', '/api/v1/visits/check', { visits: [0, 1, 2, 3, 4, 5].map((d) => ({ start: `2026-11-${23 + d}T08:00`, hours: 2 })), livesAloneWithoutFamily: false });
      expect(tooMany.status).toBe(400);
      expect(((await tooMany.json()) as { error: { rule: string } }).error.rule).toBe('art. 8');
    });
  });

  it('describes the regulation routes in the OpenAPI spec', async () => {
    const spec = (await (await t.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/v1/comuni', '/api/v1/assessments/preview', '/api/v1/comuni/{id}/waiting-list', '/api/v1/allocations/preview']),
    );
  });
});
