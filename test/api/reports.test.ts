/**
 * Dashboard figures, CSV exports and the budget preview (issue #7), through the real HTTP app.
 */
import { parse } from 'csv-parse/sync';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, channelIdentities, conversations, messages, people } from '../../db/schema.ts';
import { createCaseFixtures, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let f: CaseFixtures;
const cookie: Record<string, string> = {};
const year = new Date().getUTCFullYear();

beforeAll(async () => {
  t = await createTestApp();
  f = await createCaseFixtures(t.db.database.db);
  for (const u of ['paola', 'sara', 'marco', 'ilsole']) cookie[u] = await t.login(u);
});
afterAll(async () => {
  await t?.close();
});

const get = (path: string, who: string) => t.request(path, { headers: { cookie: cookie[who]! } });
type Dashboard = {
  comuni: { comuneId: string }[];
  applications: { comuneId: string; received: number; open: number }[];
  hours: { comuneId: string; issuedHours: number; usedHours: number; allocatedHours: number | null }[];
  requestsByService: { service: string | null; count: number }[];
  firstResponse: { handedOver: number; answered: number; withinTarget: number; buckets: { key: string; count: number }[] };
};
const dashboard = async (who: string) => {
  const res = await get(`/api/v1/dashboard?year=${year}`, who);
  expect(res.status).toBe(200);
  return (await res.json()) as Dashboard;
};
const readCsv = (text: string) => parse(text, { delimiter: ';', record_delimiter: '\r\n', bom: true }) as string[][];

describe('dashboard', () => {
  it('draws no "0 days" bar for a comune with no written answer yet', async () => {
    // Next year: nothing answered yet anywhere.
    const d = (await (await get(`/api/v1/dashboard?year=${year + 1}`, 'sara')).json()) as { applications: { comuneId: string; answered: number; averageDaysToAnswer: number | null }[] };
    expect(d.applications.length).toBeGreaterThan(0);
    for (const a of d.applications) expect(a).toMatchObject({ answered: 0, averageDaysToAnswer: null });
    const page = await (await get(`/staff/dashboard?year=${year + 1}&lang=it`, 'sara')).text();
    const chart = /<svg[^>]*aria-labelledby="chart-waiting-title[\s\S]*?<\/svg>/.exec(page)?.[0] ?? '';
    expect(chart).toContain('nessuna risposta ancora');
    expect(chart).not.toMatch(/class="value">0<\/text>/);
  });

  it('counts the year per comune, only in the viewer’s comuni, and moves with new records', async () => {
    const before = await dashboard('paola');
    expect(before.comuni.length).toBe(14);
    const sara = await dashboard('sara');
    expect(sara.comuni.map((c) => c.comuneId).sort()).toEqual(['albairate', 'cisliano']);
    expect(sara.hours.map((h) => h.comuneId).sort()).toEqual(['albairate', 'cisliano']);

    await f.createFile('albairate', { issuedHours: 7 });
    // A conversation handed over 30 minutes ago and answered 10 minutes after the handover.
    const db = t.db.database.db;
    const handedOverAt = new Date(Date.now() - 30 * 60_000);
    const [identity] = await db.insert(channelIdentities).values({ channel: 'web', address: `report-test-${Date.now()}` }).returning({ id: channelIdentities.id });
    const [conv] = await db.insert(conversations).values({ channel: 'web', identityId: identity!.id, handling: 'human', comuneId: 'albairate', handedOverAt, lastSeq: 1 }).returning({ id: conversations.id });
    await db.insert(messages).values({ conversationId: conv!.id, seq: 1, direction: 'out', author: 'staff', body: 'Buongiorno', createdAt: new Date(handedOverAt.getTime() + 10 * 60_000) });

    const after = await dashboard('paola');
    const byId = <T extends { comuneId: string }>(list: T[], id: string) => list.find((x) => x.comuneId === id)!;
    expect(byId(after.hours, 'albairate').issuedHours - byId(before.hours, 'albairate').issuedHours).toBe(7);
    expect(byId(after.hours, 'abbiategrasso').issuedHours).toBe(byId(before.hours, 'abbiategrasso').issuedHours);
    expect(byId(after.applications, 'albairate').received - byId(before.applications, 'albairate').received).toBe(1);
    expect(byId(after.applications, 'albairate').open - byId(before.applications, 'albairate').open).toBe(1);
    const service = (d: Dashboard) => d.requestsByService.find((r) => r.service === '2a')?.count ?? 0;
    expect(service(after) - service(before)).toBe(1);
    expect(after.firstResponse.answered - before.firstResponse.answered).toBe(1);
    expect(after.firstResponse.withinTarget - before.firstResponse.withinTarget).toBe(1);
    const bucket = (d: Dashboard, key: string) => d.firstResponse.buckets.find((b) => b.key === key)!.count;
    expect(bucket(after, 'upTo15') - bucket(before, 'upTo15')).toBe(1);

    // Giorgio's comune is not Sara's: her figures ignore it, Paola's include it.
    const saraAfter = await dashboard('sara');
    expect(byId(saraAfter.hours, 'albairate').issuedHours).toBe(byId(after.hours, 'albairate').issuedHours);
  });

  it('refuses bad years with a field message and other roles with 403', async () => {
    const bad = await get('/api/v1/dashboard?year=abc', 'paola');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields.year).toBeTruthy();
    expect((await get('/api/v1/dashboard', 'marco')).status).toBe(403);
    expect((await get('/api/v1/dashboard', 'ilsole')).status).toBe(403);
  });
});

describe('CSV exports', () => {
  it('writes Excel-friendly CSV with formula cells neutralised, and audits the export with its row count', async () => {
    const file = await f.createFile('albairate');
    await t.db.database.db.update(people).set({ familyName: '=HYPERLINK("http://evil.example";"clic")', givenName: '+39 Mario; "Rossi"' }).where(eq(people.id, file.personId));
    const res = await get('/api/v1/exports/people?comuneId=albairate', 'sara');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="centrale-people-albairate-\d{4}-\d{2}-\d{2}\.csv"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    expect(text.split('\r\n')[0]).toBe('\uFEFFCodice interno;Comune;Cognome;Nome;Data di nascita;Telefono;Vive da solo/a');
    const rows = readCsv(text);
    const row = rows.find((r) => r[0] === file.personId)!;
    expect(row[2]).toBe(`'=HYPERLINK("http://evil.example";"clic")`);
    expect(row[3]).toBe(`'+39 Mario; "Rossi"`);
    for (const r of rows.slice(1)) expect(r[1]).toBe('Albairate');
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@\t\r]/);

    const [audit] = await t.db.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'export.download'), eq(auditLog.subjectId, 'people')))
      .orderBy(sql`${auditLog.id} desc`)
      .limit(1);
    expect(audit).toMatchObject({ comuneId: 'albairate', outcome: 'ok', reason: `list=people; rows=${rows.length - 1}` });
  });

  it('keeps every list inside the caller’s comuni and roles', async () => {
    // Sara without a comune: only Albairate and Cisliano.
    const apps = readCsv(await (await get('/api/v1/exports/applications', 'sara')).text());
    expect(apps.length).toBeGreaterThan(1);
    expect(new Set(apps.slice(1).map((r) => r[1]))).toEqual(new Set(apps.slice(1).map((r) => r[1]).filter((c) => c === 'Albairate' || c === 'Cisliano')));
    expect(apps.slice(1).some((r) => r[0] === f.abbiategrasso.applicationId)).toBe(false);
    expect(apps.slice(1).some((r) => r[0] === f.albairate.applicationId)).toBe(true);

    const outside = await get('/api/v1/exports/programmes?comuneId=abbiategrasso', 'sara');
    expect(outside.status).toBe(404);
    expect((await get('/api/v1/exports/programmes?comuneId=nowhere', 'paola')).status).toBe(404);
    expect((await get('/api/v1/exports/people', 'marco')).status).toBe(403);
    expect((await get('/api/v1/exports/requests', 'ilsole')).status).toBe(403);

    const requests = readCsv(await (await get('/api/v1/exports/requests?lang=en', 'marco')).text());
    expect(requests[0]![0]).toBe('Number');
    expect(requests.length).toBeGreaterThan(2);

    const waiting = await get('/api/v1/exports/waiting-list?comuneId=albairate', 'paola');
    expect(waiting.status).toBe(200);
    const segn = await get('/api/v1/exports/segnalazioni', 'sara');
    expect(readCsv(await segn.text()).slice(1).every((r) => r[1] === 'Albairate' || r[1] === 'Cisliano')).toBe(true);
  });
});

describe('budget preview', () => {
  it('shares the budget over every comune without saving anything, and names the wrong field', async () => {
    const res = await get('/api/v1/admin/budgets/2077/preview?totalHours=100000&weeks=52', 'paola');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { shares: { hours: number; atFloor: boolean }[]; floorHours: number };
    expect(body.shares.length).toBe(14);
    expect(body.shares.reduce((a, s) => a + s.hours, 0)).toBe(100000);
    expect(body.floorHours).toBe(260);
    expect(body.shares.every((s) => s.hours >= 260)).toBe(true);
    expect((await get('/api/v1/admin/budgets/2077', 'paola')).status).toBe(404);

    const low = await get('/api/v1/admin/budgets/2077/preview?totalHours=100&weeks=52', 'paola');
    expect(low.status).toBe(400);
    expect(((await low.json()) as { error: { fields: Record<string, string> } }).error.fields.totalHours).toBeTruthy();
  });
});
