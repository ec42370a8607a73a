/**
 * Scenario tests of the conversation flows about a person's own file, walked end to end through
 * the real web chat: linking by one-time code, voucher hours, my application, request help,
 * suspend / cancel, the satisfaction questionnaire; redeliveries never create a second record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { receiveMessage } from '../../core/conversation/service.ts';
import { createChatDeps } from '../../db/chat-deps.ts';
import { openConversation } from '../../db/conversations.ts';
import {
  accessRecordChanges,
  applications,
  delegations,
  helpRequests,
  linkCodes,
  people,
  programmes,
  programmeSuspensions,
  questionnaireResponses,
} from '../../db/schema.ts';
import { createCaseFixtures, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';
import { issueCode, openChat, type ChatUser } from './web-chat.helpers.ts';

describe.skipIf(postgresSkipped)('chat flows: identity, hours, application, help, suspension', () => {
  let t: TestApp;
  let f: CaseFixtures;
  let sara: string;
  let giorgio: string;
  beforeAll(async () => {
    t = await createTestApp();
    f = await createCaseFixtures(t.db.database.db);
    sara = await t.login('sara');
    giorgio = await t.login('giorgio');
  });
  afterAll(async () => {
    await t?.close();
  });

  async function linked(personId: string, cookie = sara): Promise<ChatUser> {
    const chat = await openChat(t);
    const code = await issueCode(t, cookie, personId);
    const res = await chat.say(code.toLowerCase().replace('-', ' '));
    expect(res.text).toMatch(/ora La riconosco/);
    return chat;
  }

  it('answers what was asked before the link code once the code is accepted, dates included', async () => {
    const file = await f.createFile('albairate', { issuedHours: 21 });
    const chat = await openChat(t);
    const asked = await chat.say('quante ore mi restano?');
    expect(asked.text).toMatch(/codice di 8 caratteri/);
    const ok = await chat.say(await issueCode(t, sara, file.personId));
    expect(ok.text).toMatch(/ora La riconosco[\s\S]*Le restano 21 ore di voucher/);

    // A suspension said with its dates goes on to its recap; nothing is recorded before "sì".
    const other = await f.createFile('albairate', { issuedHours: 10 });
    const chat2 = await openChat(t);
    expect((await chat2.say('vado in ospedale dal 10 al 20 dicembre')).text).toMatch(/codice di 8 caratteri/);
    const recap = await chat2.say(await issueCode(t, sara, other.personId));
    expect(recap.text).toMatch(/ora La riconosco[\s\S]*Ricapitolo: Ricovero in ospedale/);
    expect(await t.db.database.db.select().from(programmeSuspensions).where(and(eq(programmeSuspensions.programmeId, other.programmeId), eq(programmeSuspensions.source, 'chat')))).toHaveLength(0);
  });

  it('tells what the service costs from the comune tariff, and the tariff the admin saved a moment ago', async () => {
    const admin = await t.login('admin');
    const setTariff = async (bands: { upToIseeCents: number | null; centsPerHour: number }[]) => {
      const res = await t.request('/api/v1/comuni/albairate/settings', { method: 'PATCH', headers: { cookie: admin, 'content-type': 'application/json' }, body: JSON.stringify({ feeTariff: { bands } }) });
      expect(res.status).toBe(200);
    };
    const costIn = async (comune: string) => {
      const chat = await openChat(t);
      expect((await chat.say('Quanto costa il servizio?')).text).toMatch(/In quale Comune abita\?/);
      return (await chat.say(comune)).text;
    };
    await setTariff([{ upToIseeCents: 800_000, centsPerHour: 0 }, { upToIseeCents: null, centsPerHour: 400 }]);
    expect(await costIn('Albairate')).toContain("Nel Comune di Albairate la quota a Suo carico dipende dall'ISEE: fino a 8.000 € non si paga nulla; oltre, 4 € l'ora.");
    // The chat keeps the comuni in memory: a saved tariff is read at the next turn all the same.
    await setTariff([{ upToIseeCents: null, centsPerHour: 0 }]);
    expect(await costIn('Albairate')).toContain('Nel Comune di Albairate il servizio non ha costi per Lei.');
  });

  it('shows no personal data before linking, and links with a staff-issued one-time code', async () => {
    const file = await f.createFile('albairate', { issuedHours: 37 });
    const chat = await openChat(t);
    const before = await chat.choose(/ore di voucher/);
    expect(before.text).toMatch(/codice di 8 caratteri/);
    expect(before.text).not.toMatch(/37/);

    const code = await issueCode(t, sara, file.personId);
    // Stored hashed, never in clear.
    const stored = await t.db.database.db.select({ hash: linkCodes.codeHash }).from(linkCodes).where(eq(linkCodes.personId, file.personId));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.hash).not.toContain(code.replace('-', ''));

    const audits = async () => {
      const audited = await t.db.database.db.execute(sql`select count(*)::int as n from audit_log where action = 'chat.balance.read' and subject_id = ${file.personId}`);
      return Number(((audited as unknown as { rows?: { n: number }[] }).rows ?? (audited as unknown as { n: number }[]))[0]!.n);
    };
    const ok = await chat.say(code);
    expect(ok.text).toMatch(/ora La riconosco/);
    // The hours asked for before the code are answered at once, and that read is audited.
    expect(ok.text).toMatch(/Le restano 37 ore di voucher/);
    expect(await audits()).toBe(1);
    // ≤ 2 turns once linked: one message, the answer.
    const hours = await chat.say('QUANTE ORE HO ANCORA');
    expect(await audits()).toBe(2);
    expect(hours.understood.intent).toBe('voucher_balance');
    expect(hours.text).toMatch(/Le restano 37 ore di voucher/);
    expect(hours.text).toMatch(/La prossima visita è/);

    // Single use: another chat cannot reuse it.
    const other = await openChat(t);
    expect((await other.say(code)).text).toMatch(/scaduto o è già stato usato/);
  });

  it('lets only one of two chats racing with the same code link it', async () => {
    const file = await f.createFile('albairate');
    const code = await issueCode(t, sara, file.personId);
    const [a, b] = await Promise.all([openChat(t), openChat(t)]);
    const results = await Promise.all([a.say(code), b.say(code)]);
    expect(results.filter((r) => /ora La riconosco/.test(r.text))).toHaveLength(1);
    expect(results.filter((r) => /già stato usato/.test(r.text))).toHaveLength(1);
  });

  it('refuses a social worker a code for a person of another comune (404)', async () => {
    const res = await t.request(`/api/v1/people/${f.albairate.personId}/link-codes`, { method: 'POST', headers: { cookie: giorgio } });
    expect(res.status).toBe(404);
  });

  it('answers a wrong code politely and stops after five tries in a conversation', async () => {
    const chat = await openChat(t);
    await chat.choose(/La mia domanda/);
    for (let i = 0; i < 5; i++) expect((await chat.say('ACDE-FGH3')).text).toMatch(/non è giusto/);
    const file = await f.createFile('albairate');
    const code = await issueCode(t, sara, file.personId);
    // Even the right code is refused once the conversation has used its tries.
    expect((await chat.say(code)).text).toMatch(/troppi tentativi/);
  });

  it('lets a delegate see only the people they are delegated for, asking "per chi?"', async () => {
    const first = await f.createFile('albairate');
    const second = await f.createFile('albairate');
    // The same daughter is delegate for both.
    await t.db.database.db.insert(delegations).values({ personId: second.personId, delegatePersonId: first.delegatePersonId, kind: 'relative', relationship: 'figlia' });
    const chat = await linked(first.delegatePersonId);
    const ask = await chat.say('quante ore restano?');
    expect(ask.text).toMatch(/Per chi è la richiesta/);
    const names = chat.options.map((o) => o.label);
    const [p1] = await t.db.database.db.select({ name: people.givenName }).from(people).where(eq(people.id, first.personId));
    const [p2] = await t.db.database.db.select({ name: people.givenName }).from(people).where(eq(people.id, second.personId));
    expect(names).toEqual(expect.arrayContaining([`Per ${p1!.name}`, `Per ${p2!.name}`]));
    expect(names).toHaveLength(2);
    const answer = await chat.choose(new RegExp(`Per ${p2!.name}$`));
    expect(answer.text).toMatch(new RegExp(`A ${p2!.name} restano 40 ore`));
  });

  it('tells the application status, waiting-list place and people ahead, and records a contact change', async () => {
    const file = await f.createFile('albairate');
    const db = t.db.database.db;
    await db.update(applications).set({ status: 'waiting_list', totalPoints: 50, autonomyPoints: 20, applicationDate: '2026-09-01' }).where(eq(applications.id, file.applicationId));
    // Two applications rank above it in the same comune, one below.
    for (const points of [80, 60, 10]) {
      const [p] = await db.insert(people).values({ comuneId: file.comuneId, givenName: 'Altra', familyName: 'Persona' }).returning({ id: people.id });
      await db.insert(applications).values({ personId: p!.id, comuneId: file.comuneId, origin: 'citizen', status: 'waiting_list', applicationDate: '2026-09-02', totalPoints: points, autonomyPoints: 10 });
    }
    // The staff waiting list (art. 6 order) says where it stands.
    const list = (await (await t.request('/api/v1/comuni/albairate/waiting-list?limit=1000', { headers: { cookie: sara } })).json()) as { entries: { applicationId: string; position: number }[] };
    const position = list.entries.find((e) => e.applicationId === file.applicationId)!.position;
    expect(position).toBeGreaterThan(2);
    const chat = await linked(file.personId);
    const status = await chat.choose(/La mia domanda/);
    expect(status.text).toMatch(/in lista d'attesa/);
    expect(status.text).toMatch(new RegExp(`posto numero ${position}\\. Prima ci sono ${position - 1} persone`));
    expect(status.text).toMatch(/La domanda del 1 settembre 2026/);
    await chat.choose(/Cambiare i miei recapiti/);
    await chat.choose(/Telefono/);
    const confirm = await chat.say('+39 333 1234567');
    expect(confirm.text).toMatch(/\+39 333 1234567.*È giusto/);
    const done = await chat.choose(/^Sì$/);
    expect(done.text).toMatch(/assistente sociale controllerà/);
    const rows = await db.select().from(accessRecordChanges).where(and(eq(accessRecordChanges.personId, file.personId), eq(accessRecordChanges.source, 'chat')));
    expect(rows.map((r) => r.changes)).toContainEqual({ phone: '+39 333 1234567' });
    expect(rows.every((r) => r.status === 'pending')).toBe(true);
  });

  it('turns a help request with what and when into a visit with a reference in ≤ 4 turns', async () => {
    const file = await f.createFile('albairate');
    const chat = await linked(file.personId);
    t.setNow(new Date('2026-11-23T08:00:00Z')); // a Monday
    try {
      const start = chat.turns;
      const first = await chat.say('vorrei aiuto per fare la spesa giovedì alle 10');
      expect(first.understood).toMatchObject({ intent: 'request_help', code: '8A' });
      expect(first.text).toMatch(/Ricapitolo: Accompagnamento \(spesa, commissioni\), per Lei, giovedì 26 novembre alle 10:00/);
      const done = await chat.choose(/Sì, confermo/);
      const reference = /R-\d+/.exec(done.text)?.[0];
      expect(reference).toBeDefined();
      expect(done.text).toMatch(/programma attivo/);
      expect(chat.turns - start).toBeLessThanOrEqual(4);
      const [row] = await t.db.database.db.select().from(helpRequests).where(eq(helpRequests.reference, reference!));
      expect(row).toMatchObject({ kind: 'visit', personId: file.personId, programmeId: file.programmeId, comuneId: 'albairate', service: '8A', status: 'new' });
      expect(row!.requestedStart!.toISOString()).toBe('2026-11-26T09:00:00.000Z');
      // The person can ask about it by its number.
      expect((await chat.say(reference!)).text).toMatch(new RegExp(`${reference} è ricevuta`));
    } finally {
      t.setNow(undefined);
    }
  });

  it('makes an on-demand request for someone not linked, checking the day against art. 8', async () => {
    t.setNow(new Date('2026-11-23T08:00:00Z'));
    try {
      const chat = await openChat(t);
      const first = await chat.say('mia mamma non riesce più a lavarsi, serve aiuto domenica alle 10');
      expect(first.understood.intent).toBe('request_help');
      expect(first.text).toMatch(/In quale Comune/);
      const sunday = await chat.choose(/^Albairate$/);
      expect(sunday.text).toMatch(/domenica il servizio c'è solo per chi vive solo/);
      const late = await chat.say('sabato alle 22');
      expect(late.text).toMatch(/dal lunedì al sabato, dalle 8 alle 20/);
      const ok = await chat.say('sabato alle 10');
      expect(ok.text).toMatch(/Ricapitolo: .*nel Comune di Albairate, sabato 28 novembre alle 10:00/);
      const done = await chat.say('si');
      expect(done.text).toMatch(/R-\d+/);
      expect(done.text).toMatch(/Non risulta un programma attivo/);
      const reference = /R-\d+/.exec(done.text)![0];
      const [row] = await t.db.database.db.select().from(helpRequests).where(eq(helpRequests.reference, reference));
      expect(row).toMatchObject({ kind: 'on_demand', personId: null, comuneId: 'albairate', family: '2' });
    } finally {
      t.setNow(undefined);
    }
  });

  it('never creates a second request when a channel redelivers the confirming message', async () => {
    t.setNow(new Date('2026-11-23T08:00:00Z'));
    try {
      const deps = createChatDeps(t.db.database, await (await import('../../locales/index.ts')).createI18n(), () => new Date('2026-11-23T08:00:00Z'));
      const { conversationId } = await openConversation(t.db.database.db, { channel: 'telegram', address: 'redeliver-1', locale: 'it' });
      await receiveMessage(deps, conversationId, { text: 'vorrei aiuto per la spesa martedì alle 10', externalId: 'u1' });
      await receiveMessage(deps, conversationId, { text: 'Albairate', externalId: 'u2' });
      const a = await receiveMessage(deps, conversationId, { text: 'sì', externalId: 'u3' });
      const b = await receiveMessage(deps, conversationId, { text: 'sì', externalId: 'u3' });
      expect(b.duplicate).toBe(true);
      expect(b.replies.map((r) => r.body)).toEqual(a.replies.map((r) => r.body));
      const rows = await t.db.database.db.select().from(helpRequests).where(eq(helpRequests.conversationId, conversationId));
      expect(rows).toHaveLength(1);
    } finally {
      t.setNow(undefined);
    }
  });

  it('records a hospital stay for staff confirmation, and a visit to cancel', async () => {
    const file = await f.createFile('albairate');
    const chat = await linked(file.personId);
    // Reason and dates in the first message: straight to the summary.
    const confirm = await chat.say('devo andare in ospedale dal 10 al 20 dicembre, bisogna sospendere il servizio');
    expect(confirm.text).toMatch(/Ricovero in ospedale, da giovedì 10 dicembre a domenica 20 dicembre/);
    const done = await chat.choose(/^Sì$/);
    expect(done.text).toMatch(/servizio sociale lo confermerà/);
    const rows = await t.db.database.db.select().from(programmeSuspensions).where(and(eq(programmeSuspensions.programmeId, file.programmeId), eq(programmeSuspensions.source, 'chat')));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ reason: 'hospital', status: 'requested', toDate: expect.stringMatching(/-12-20$/) });

    const cancel = await chat.say('vorrei annullare la visita');
    expect(cancel.text).toMatch(/Quale visita vuole annullare/);
    const which = await chat.choose(/alle/);
    expect(which.text).toMatch(/Annullo la visita di/);
    const recorded = await chat.say('sì');
    const reference = /R-\d+/.exec(recorded.text)![0];
    const [request] = await t.db.database.db.select().from(helpRequests).where(eq(helpRequests.reference, reference));
    expect(request).toMatchObject({ visitId: file.plannedVisitId, requestedText: 'cancel_visit', programmeId: file.programmeId });
  });

  it('asks the art. 12 questionnaire at programme end and stores the answers on the programme', async () => {
    const file = await f.createFile('albairate');
    await t.db.database.db.update(programmes).set({ status: 'ended' }).where(eq(programmes.id, file.programmeId));
    const chat = await linked(file.personId);
    await chat.say('ciao');
    await chat.choose(/Dare un parere/);
    await chat.choose(/^Molto$/);
    await chat.choose(/^Abbastanza$/);
    await chat.choose(/^Sempre$/);
    const end = await chat.say('si');
    expect(end.text).toMatch(/Grazie per le Sue risposte/);
    const rows = await t.db.database.db.select().from(questionnaireResponses).where(eq(questionnaireResponses.programmeId, file.programmeId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'chat', answers: { overall: 'very', operators: 'quite', times: 'always', continue: 'yes' } });
  });
});
