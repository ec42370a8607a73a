import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import codiceFiscaleModule from 'codice-fiscale-js';
import { romeDateOf } from '../../core/applications/dates.ts';
import { addCalendarDays } from '../../core/regulation/calendar.ts';
import { rankWaitingList } from '../../core/regulation/waiting-list.ts';
import { recordAnswerDueEvents, waitingListPosition } from '../../db/applications.ts';
import { accessRecordChanges, applicationStatusHistory, applications, assessments, auditLog, caseEvents, people } from '../../db/schema.ts';
import { createCaseFixtures, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';

type CFClass = typeof codiceFiscaleModule.default;
const loaded = codiceFiscaleModule as unknown as { CodiceFiscale?: CFClass; default?: CFClass };
const CodiceFiscale = (loaded.CodiceFiscale ?? loaded.default) as CFClass;

let seq = 0;
const SURNAMES = ['Rossi', 'Bianchi', 'Verdi', 'Neri', 'Galli', 'Conti', 'Longo', 'Greco', 'Bruno', 'Costa', 'Rizzo', 'Moretti'];

describe.skipIf(postgresSkipped)('applications API (art. 3–6)', () => {
  let t: TestApp;
  let f: CaseFixtures;
  const cookies: Record<string, string> = {};
  const as = (user: string) => ({ headers: { cookie: cookies[user]! } });
  const get = (user: string, path: string) => t.request(path, as(user));
  const post = (user: string, path: string, body: unknown) => t.json(path, body, as(user));
  const put = (user: string, path: string, body: unknown) => t.json(path, body, { ...as(user), method: 'PUT' });
  const db = () => t.db.database.db;
  const today = () => romeDateOf(new Date());

  /** A beneficiary with a valid codice fiscale (the art. 3 check reads it). */
  async function newPerson(comuneId: string, options: { givenName?: string; familyName?: string; birthYear?: number; address?: string } = {}) {
    seq++;
    const surname = SURNAMES[seq % SURNAMES.length]!;
    const name = ['Maria', 'Anna', 'Lucia', 'Rosa', 'Carla', 'Elena'][seq % 6]!;
    const year = options.birthYear ?? 1940;
    const day = 1 + (seq % 28);
    const cf = new CodiceFiscale({ name, surname, gender: 'F', day, month: 1 + (seq % 12), year, birthplace: 'Albairate', birthplaceProvincia: 'MI' });
    const birthDate = `${year}-${String(1 + (seq % 12)).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const [p] = await db()
      .insert(people)
      .values({ comuneId, givenName: options.givenName ?? name, familyName: options.familyName ?? surname, birthDate, codiceFiscale: cf.toString(), address: options.address ?? 'Via Roma 1', livesAlone: false, familySupport: true })
      .returning({ id: people.id });
    return p!.id;
  }

  async function createApplication(user: string, personId: string, extra: Record<string, unknown> = {}) {
    const res = await post(user, '/api/v1/applications', { personId, origin: 'citizen', ...extra });
    const body = (await res.json()) as { application: { id: string; status: string; dueDate: string }; error?: { code: string } };
    return { res, body };
  }

  beforeAll(async () => {
    t = await createTestApp();
    f = await createCaseFixtures(t.db.database.db);
    for (const u of ['sara', 'giorgio', 'marco', 'ilsole', 'paola']) cookies[u] = await t.login(u);
  });
  afterAll(async () => {
    await t?.close();
  });

  const criteria = { autonomy: 30, family: 10, network: 3, stress: 8, housing: 2 };

  it('runs the whole workflow: intake, investigation, assessment, waiting list, written answer, sending, admission, closing', async () => {
    const personId = await newPerson('albairate', { givenName: `Rosa <script>alert(1)</script>`, familyName: "D'Amico & Figli", address: 'Via "Verdi" 3' });
    const { res, body } = await createApplication('sara', personId, { note: 'domanda consegnata allo sportello' });
    expect(res.status).toBe(201);
    const id = body.application.id;
    expect(body.application.status).toBe('received');
    expect(body.application.dueDate).toBe(addCalendarDays(today(), 30));
    expect(JSON.stringify(body)).not.toContain('codiceFiscale');

    // A second open application for the same person is refused.
    expect((await createApplication('sara', personId)).res.status).toBe(409);

    expect((await post('sara', `/api/v1/applications/${id}/transitions`, { to: 'under_investigation' })).status).toBe(200);

    const preview = (await (await post('sara', '/api/v1/assessments/preview', { criteria, iseeCents: 800_000 })).json()) as { total: number; criteria: Record<string, number> };
    const assessed = await post('sara', `/api/v1/applications/${id}/assessments`, { criteria, iseeCents: 800_000, iseeYear: Number(today().slice(0, 4)), specialSituation: { reason: 'Coniuge ricoverato' } });
    expect(assessed.status).toBe(201);
    const a = (await assessed.json()) as { assessment: { totalPoints: number; criteria: Record<string, number>; specialSituation: { reason: string; author: string } }; status: string };
    expect(a.assessment.totalPoints).toBe(preview.total);
    expect(a.assessment.criteria).toEqual(preview.criteria);
    expect(a.assessment.specialSituation.reason).toBe('Coniuge ricoverato');
    expect(a.status).toBe('assessed');

    expect((await post('sara', `/api/v1/applications/${id}/transitions`, { to: 'waiting_list', note: 'in graduatoria' })).status).toBe(200);
    const detail = (await (await get('sara', `/api/v1/applications/${id}`)).json()) as {
      application: { status: string; totalPoints: number };
      waitingList: { position: number; ahead: number };
      statusHistory: { toStatus: string }[];
      assessments: unknown[];
      allowedTransitions: string[];
      isee: { expired: boolean };
    };
    expect(detail.application.status).toBe('waiting_list');
    expect(detail.application.totalPoints).toBe(preview.total);
    expect(detail.statusHistory.map((h) => h.toStatus)).toEqual(['received', 'under_investigation', 'assessed', 'waiting_list']);
    expect(detail.assessments).toHaveLength(1);
    expect(detail.allowedTransitions).toEqual(['admitted', 'assessed', 'closed']);
    expect(detail.waitingList).toEqual(await waitingListPosition(db(), id));
    expect(detail.isee.expired).toBe(false);

    // The written answer: printable Italian HTML, the citizen's name escaped, the outcome stated.
    const answer = await get('sara', `/api/v1/applications/${id}/written-answer`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/text\/html/);
    const htmlText = await answer.text();
    expect(htmlText).toContain('Rosa &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(htmlText).not.toContain('<script>alert(1)');
    expect(htmlText).toContain('D&#39;Amico &amp; Figli');
    expect(htmlText).toContain('Via &quot;Verdi&quot; 3');
    expect(htmlText).toContain('lista d&#39;attesa');
    expect(htmlText).toContain(`${preview.total} punti su 100`);
    expect(htmlText).toContain(detail.waitingList.position === 1 ? 'al primo posto della lista' : `al posto numero ${detail.waitingList.position} `);
    expect(htmlText).toContain('/static/written-answer.css');
    const css = await t.request('/static/written-answer.css');
    expect(css.status).toBe(200);
    expect(await css.text()).toMatch(/@page\s*\{\s*size:\s*A4/);
    expect((await get('sara', `/api/v1/applications/${id}/written-answer?lang=en`)).status).toBe(200);

    const sent = await post('sara', `/api/v1/applications/${id}/written-answer/sent`, { sentOn: today(), via: 'pec' });
    expect(sent.status).toBe(200);
    expect(((await sent.json()) as { istruttoria: { answeredLate: boolean } }).istruttoria.answeredLate).toBe(false);
    expect((await post('sara', `/api/v1/applications/${id}/written-answer/sent`, { sentOn: addCalendarDays(today(), 1), via: 'pec' })).status).toBe(400);

    // A new ISEE rescoring: a new assessment row, the old one untouched.
    const isee = await put('sara', `/api/v1/applications/${id}/isee`, { iseeCents: 2_000_000, iseeYear: Number(today().slice(0, 4)) });
    expect(isee.status).toBe(200);
    const rescored = (await isee.json()) as { rescored: { totalPoints: number; criteria: { economic: number } } };
    expect(rescored.rescored.criteria.economic).toBe(6);
    expect(rescored.rescored.totalPoints).toBe(preview.total - preview.criteria.economic! + 6);
    const rows = await db().select().from(assessments).where(eq(assessments.applicationId, id));
    expect(rows.map((r) => r.totalPoints).sort()).toEqual([preview.total, rescored.rescored.totalPoints].sort());
    const [appRow] = await db().select().from(applications).where(eq(applications.id, id));
    expect(appRow!.totalPoints).toBe(rescored.rescored.totalPoints);

    expect((await post('sara', `/api/v1/applications/${id}/transitions`, { to: 'admitted' })).status).toBe(200);
    expect((await post('sara', `/api/v1/applications/${id}/transitions`, { to: 'closed', note: 'programma concluso' })).status).toBe(200);

    const events = await db().select({ type: caseEvents.type }).from(caseEvents).where(eq(caseEvents.subjectId, id));
    const types = events.map((e) => e.type);
    for (const type of ['application_received', 'application_assessed', 'answer_sent', 'waiting_list_position_changed']) expect(types).toContain(type);
    expect(types.filter((x) => x === 'application_assessed')).toHaveLength(2);
    const audits = await db().select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.subjectId, id));
    for (const action of ['application.create', 'application.transition', 'application.assess', 'application.read', 'application.written_answer.read', 'application.answer_sent', 'application.isee']) {
      expect(audits.map((x) => x.action)).toContain(action);
    }
  });

  it('refuses a transition the workflow does not allow with 409 naming the allowed ones, and changes nothing', async () => {
    const personId = await newPerson('albairate');
    const { body } = await createApplication('sara', personId);
    const id = body.application.id;
    const historyBefore = await db().select({ n: count() }).from(applicationStatusHistory).where(eq(applicationStatusHistory.applicationId, id));
    const res = await post('sara', `/api/v1/applications/${id}/transitions`, { to: 'admitted' });
    expect(res.status).toBe(409);
    const { error } = (await res.json()) as { error: { code: string; message: string; fields: Record<string, string> } };
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('under_investigation');
    expect(error.fields.to).toContain('not_eligible');
    // Needs a score: under investigation → assessed without an assessment.
    await post('sara', `/api/v1/applications/${id}/transitions`, { to: 'under_investigation' });
    const noScore = await post('sara', `/api/v1/applications/${id}/transitions`, { to: 'assessed' });
    expect(noScore.status).toBe(409);
    const [row] = await db().select().from(applications).where(eq(applications.id, id));
    expect(row!.status).toBe('under_investigation');
    const historyAfter = await db().select({ n: count() }).from(applicationStatusHistory).where(eq(applicationStatusHistory.applicationId, id));
    expect(historyAfter[0]!.n).toBe(historyBefore[0]!.n + 1);
    // Bad input: unknown status, malformed id, fractional points (art. 5–6), nothing saved.
    expect((await post('sara', `/api/v1/applications/${id}/transitions`, { to: 'approved' })).status).toBe(400);
    expect((await post('sara', '/api/v1/applications/not-a-uuid/transitions', { to: 'closed' })).status).toBe(404);
    expect((await get('sara', '/api/v1/applications/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const fractional = await post('sara', `/api/v1/applications/${id}/assessments`, { criteria: { ...criteria, housing: 2.5 }, iseeCents: 800_000, iseeYear: 2026 });
    expect(fractional.status).toBe(400);
    expect(((await fractional.json()) as { error: { rule: string; fields: Record<string, string> } }).error.fields['criteria.housing']).toBeTruthy();
    const over = await post('sara', `/api/v1/applications/${id}/assessments`, { criteria: { ...criteria, autonomy: 41 }, iseeCents: 800_000, iseeYear: 2026 });
    expect(((await over.json()) as { error: { rule: string } }).error.rule).toBe('art. 5');
    expect(await db().select().from(assessments).where(eq(assessments.applicationId, id))).toHaveLength(0);
  });

  it('records an ineligible applicant as not eligible (art. 3) and answers why', async () => {
    const personId = await newPerson('albairate', { birthYear: 1990 });
    const { res, body } = await createApplication('sara', personId);
    expect(res.status).toBe(201);
    expect(body.application.status).toBe('not_eligible');
    const htmlText = await (await get('sara', `/api/v1/applications/${body.application.id}/written-answer`)).text();
    expect(htmlText).toContain('non può essere accolta');
    expect(htmlText).toContain('almeno 65 anni');
    // Without a codice fiscale the check cannot run: art. 3, 400, nothing recorded.
    const before = await db().select({ n: count() }).from(applications).where(eq(applications.personId, f.albairate.personId));
    const noCf = await post('sara', '/api/v1/applications', { personId: f.albairate.personId, origin: 'citizen' });
    expect(noCf.status).toBe(400);
    expect(((await noCf.json()) as { error: { rule: string } }).error.rule).toBe('art. 3');
    const after = await db().select({ n: count() }).from(applications).where(eq(applications.personId, f.albairate.personId));
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('opens at most one application per person under concurrent intakes (row lock)', async () => {
    const personId = await newPerson('albairate');
    const results = await Promise.all(Array.from({ length: 6 }, () => post('sara', '/api/v1/applications', { personId, origin: 'citizen' })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const rows = await db().select().from(applications).where(eq(applications.personId, personId));
    expect(rows).toHaveLength(1);
  });

  it('checks delegate and ex officio origins', async () => {
    const personId = await newPerson('albairate');
    const res = await post('sara', '/api/v1/applications', { personId, origin: 'delegate' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { fields: Record<string, string> } }).error.fields.applicantPersonId).toBeTruthy();
    const notDelegate = await post('sara', '/api/v1/applications', { personId, origin: 'delegate', applicantPersonId: f.albairate.delegatePersonId });
    expect(notDelegate.status).toBe(400);
    const exOfficio = await post('sara', '/api/v1/applications', { personId, origin: 'ex_officio', segnalazioneId: f.albairate.segnalazioneId });
    expect(exOfficio.status).toBe(201);
    const otherComune = await post('giorgio', '/api/v1/applications', { personId: await newPerson('abbiategrasso'), origin: 'ex_officio', segnalazioneId: f.albairate.segnalazioneId });
    expect(otherComune.status).toBe(400);
  });

  it("answers 404 (audited) to a social worker of another comune, 403 to operators and providers", async () => {
    const id = f.abbiategrasso.applicationId;
    for (const path of [`/api/v1/applications/${id}`, `/api/v1/applications/${id}/written-answer`]) {
      const res = await get('sara', path);
      expect(res.status).toBe(404);
    }
    expect((await post('sara', `/api/v1/applications/${id}/transitions`, { to: 'under_investigation' })).status).toBe(404);
    const denied = await db().select().from(auditLog).where(and(eq(auditLog.subjectId, id), eq(auditLog.outcome, 'denied'), eq(auditLog.reason, 'scope')));
    expect(denied.length).toBeGreaterThanOrEqual(3);
    const [row] = await db().select().from(applications).where(eq(applications.id, id));
    expect(row!.status).toBe('received');
    expect((await get('sara', '/api/v1/applications?comuneId=abbiategrasso')).status).toBe(404);
    expect((await get('marco', '/api/v1/applications')).status).toBe(403);
    expect((await get('ilsole', `/api/v1/applications/${f.albairate.applicationId}`)).status).toBe(403);
    // Sara's list holds her comuni only.
    const list = (await (await get('sara', '/api/v1/applications?limit=500')).json()) as { applications: { comuneId: string }[] };
    expect(list.applications.length).toBeGreaterThan(0);
    expect(new Set(list.applications.map((a) => a.comuneId))).toEqual(new Set(['albairate', 'cisliano']));
  });

  it('lists overdue applications (art. 4 thirty days) with their due date', async () => {
    const personId = await newPerson('albairate');
    const old = addCalendarDays(today(), -31);
    const { body } = await createApplication('sara', personId, { applicationDate: old });
    const res = await get('sara', '/api/v1/applications?comuneId=albairate&overdue=true&limit=500');
    const list = (await res.json()) as { applications: { id: string; overdue: boolean; dueDate: string; daysLeft: number }[] };
    const mine = list.applications.find((a) => a.id === body.application.id);
    expect(mine).toMatchObject({ overdue: true, dueDate: addCalendarDays(old, 30), daysLeft: -1 });
    expect(list.applications.every((a) => a.overdue)).toBe(true);
    expect((await post('sara', '/api/v1/applications', { personId: await newPerson('albairate'), origin: 'citizen', applicationDate: addCalendarDays(today(), 1) })).status).toBe(400);
  });

  it('records answer-due events once per application due within 3 days', async () => {
    const personId = await newPerson('albairate');
    const { body } = await createApplication('sara', personId, { applicationDate: addCalendarDays(today(), -28) });
    const first = await recordAnswerDueEvents(db(), today());
    expect(first).toBeGreaterThanOrEqual(1);
    expect(await recordAnswerDueEvents(db(), today())).toBe(0);
    const events = await db().select().from(caseEvents).where(and(eq(caseEvents.subjectId, body.application.id), eq(caseEvents.type, 'answer_due')));
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ dueDate: addCalendarDays(today(), 2), daysLeft: 2 });
  });

  it('gives each waiting-list application the art. 6 position the rules compute', async () => {
    const rows = await db()
      .select({ applicationId: applications.id, comuneId: applications.comuneId, totalPoints: applications.totalPoints, autonomyPoints: applications.autonomyPoints, applicationDate: applications.applicationDate })
      .from(applications)
      .where(and(eq(applications.comuneId, 'abbiategrasso'), eq(applications.status, 'waiting_list')));
    expect(rows.length).toBeGreaterThan(10);
    const ranked = rankWaitingList(rows.map((r) => ({ ...r, totalPoints: r.totalPoints!, autonomyPoints: r.autonomyPoints! })));
    for (const r of ranked) expect(await waitingListPosition(db(), r.entry.applicationId)).toEqual({ position: r.position, ahead: r.ahead });
    expect(await waitingListPosition(db(), f.abbiategrasso.applicationId)).toBeNull();
  });

  it('confirms an access-record change onto the person, rejects another, and never twice', async () => {
    const pending = (await (await get('sara', '/api/v1/access-record-changes?status=pending')).json()) as { changes: { id: string; comuneId: string }[] };
    expect(pending.changes.some((c) => c.id === f.albairate.accessRecordChangeId)).toBe(true);
    expect(pending.changes.every((c) => ['albairate', 'cisliano'].includes(c.comuneId))).toBe(true);
    const res = await post('sara', `/api/v1/access-record-changes/${f.albairate.accessRecordChangeId}/confirm`, {});
    expect(res.status).toBe(200);
    expect(((await res.json()) as { applied: string[] }).applied).toEqual(['phone']);
    const [person] = await db().select({ phone: people.phone }).from(people).where(eq(people.id, f.albairate.personId));
    expect(person!.phone).toBe('+393330009999');
    expect((await post('sara', `/api/v1/access-record-changes/${f.albairate.accessRecordChangeId}/reject`, {})).status).toBe(409);
    expect((await post('sara', `/api/v1/access-record-changes/${f.abbiategrasso.accessRecordChangeId}/confirm`, {})).status).toBe(404);

    // An invalid proposed value is refused and nothing changes.
    const [bad] = await db().insert(accessRecordChanges).values({ personId: f.albairate.personId, source: 'chat', changes: { email: 'not an email', situation: 'vivo da sola ora' } }).returning({ id: accessRecordChanges.id });
    expect((await post('sara', `/api/v1/access-record-changes/${bad!.id}/confirm`, {})).status).toBe(400);
    const [still] = await db().select({ status: accessRecordChanges.status }).from(accessRecordChanges).where(eq(accessRecordChanges.id, bad!.id));
    expect(still!.status).toBe('pending');
    expect((await post('sara', `/api/v1/access-record-changes/${bad!.id}/reject`, {})).status).toBe(200);
  });
});
