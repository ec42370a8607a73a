/**
 * Scenario tests through the real web chat: segnalazione (with immediate risk), its status for
 * the reporter only, the staff routes over chat-born records, how to apply with a
 * pre-application, accredited providers, talking to a person outside office hours, and bad
 * input in the middle of a flow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { comuni, conversations, helpRequests, segnalazioni, webChatSessions } from '../../db/schema.ts';
import { createCaseFixtures, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';
import { openChat, type ChatUser } from './web-chat.helpers.ts';

describe.skipIf(postgresSkipped)('chat flows: segnalazioni, information, handover, staff records', () => {
  let t: TestApp;
  let f: CaseFixtures;
  let marco: string;
  let giorgio: string;
  let sara: string;
  beforeAll(async () => {
    t = await createTestApp();
    f = await createCaseFixtures(t.db.database.db);
    marco = await t.login('marco');
    giorgio = await t.login('giorgio');
    sara = await t.login('sara');
    await t.db.database.db
      .update(comuni)
      .set({ officeAddress: 'Piazza Garibaldi 1', officeHours: { '1': ['09:00-12:00'], '3': ['09:00-12:00', '14:00-16:00'] }, patronDay: '12-09' })
      .where(eq(comuni.id, 'albairate'));
  });
  afterAll(async () => {
    await t?.close();
  });

  async function conversationOf(chat: ChatUser) {
    const [s] = await t.db.database.db.select({ conversationId: webChatSessions.conversationId }).from(webChatSessions).where(eq(webChatSessions.id, chat.sessionId));
    const [c] = await t.db.database.db.select().from(conversations).where(eq(conversations.id, s!.conversationId));
    return c!;
  }

  async function report(chat: ChatUser, risk: boolean) {
    await chat.choose(/Segnalare una persona/);
    await chat.choose(/^Portiere$/);
    await chat.say('Ahmed');
    await chat.say('Signora Ferri');
    const problem = await chat.say('via Roma 3, Abbiategrasso');
    expect(problem.text).toMatch(/Che cosa non va/);
    await chat.choose(/Non si vede da giorni/);
    await chat.say('non ritira la posta da una settimana');
    await chat.choose(/^Sì$/);
    await chat.choose(/^No$/);
    const riskReply = await chat.choose(risk ? /Sì, c'è un pericolo/ : /^No$/);
    if (risk) return { riskReply, done: riskReply, reference: /S-\d+/.exec(riskReply.text)?.[0] };
    const confirm = await chat.choose(/^Sì$/);
    expect(confirm.text).toMatch(/Ricapitolo: Signora Ferri, via Roma 3, Abbiategrasso, Abbiategrasso\. Problema: non si vede da giorni/);
    const done = await chat.choose(/^Sì$/);
    return { riskReply, done, reference: /S-\d+/.exec(done.text)?.[0] };
  }

  it('takes a portiere’s segnalazione step by step and gives a reference', async () => {
    const chat = await openChat(t);
    const { done, reference } = await report(chat, false);
    expect(reference).toBeDefined();
    expect(done.text).toMatch(/presa in carico/);
    const [row] = await t.db.database.db.select().from(segnalazioni).where(eq(segnalazioni.reference, reference!));
    expect(row).toMatchObject({
      reporterRole: 'portiere', reporterName: 'Ahmed', subjectName: 'Signora Ferri', comuneId: 'abbiategrasso', problems: ['not_seen'],
      livesAlone: true, personAware: false, immediateRisk: false, consentToContact: true, urgency: 'high', status: 'received',
    });
    expect(row!.details).toMatch(/posta/);

    // Staff: in Giorgio's list, not in Sara's; Sara gets 404 on it; the list carries no names.
    const list = (await (await t.request('/api/v1/segnalazioni', { headers: { cookie: giorgio } })).json()) as { segnalazioni: Record<string, unknown>[] };
    const mine = list.segnalazioni.find((s) => s.reference === reference)!;
    expect(mine).toBeDefined();
    expect(mine).not.toHaveProperty('subjectName');
    const saraList = (await (await t.request('/api/v1/segnalazioni', { headers: { cookie: sara } })).json()) as { segnalazioni: { reference: string }[] };
    expect(saraList.segnalazioni.map((s) => s.reference)).not.toContain(reference);
    expect((await t.request(`/api/v1/segnalazioni/${row!.id}`, { headers: { cookie: sara } })).status).toBe(404);

    // The reporter can ask its status, and nothing else.
    expect((await chat.say(reference!)).text).toMatch(new RegExp(`${reference} è ricevuta`));
    const take = await t.request(`/api/v1/segnalazioni/${row!.id}`, { method: 'PATCH', headers: { cookie: giorgio, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'taken_in_charge' }) });
    expect(take.status).toBe(200);
    expect((await chat.say(`a che punto è la ${reference}?`)).text).toMatch(/presa in carico dal servizio sociale/);
    // Someone else's report, with a real reference: not shown.
    await t.db.database.db.insert(segnalazioni).values({ reference: 'S-99001', reporterRole: 'custode', subjectName: 'Altra', comuneId: 'abbiategrasso', problems: ['alone'] });
    const other = await chat.say('S-99001');
    expect(other.text).toMatch(/Non trovo/);
    // Closing is one way: a closed report cannot be reopened.
    await t.request(`/api/v1/segnalazioni/${row!.id}`, { method: 'PATCH', headers: { cookie: giorgio, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'closed' }) });
    const back = await t.request(`/api/v1/segnalazioni/${row!.id}`, { method: 'PATCH', headers: { cookie: giorgio, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'taken_in_charge' }) });
    expect(back.status).toBe(409);
  });

  it('puts 112 first and alerts staff urgently when the reported person is at risk now', async () => {
    const chat = await openChat(t);
    const { riskReply, reference } = await report(chat, true);
    expect(riskReply.replies[0]!.text).toMatch(/chiami subito il 112/);
    const conversation = await conversationOf(chat);
    expect(conversation.urgent).toBe(true);
    expect(conversation.handling).toBe('waiting');
    // The report is recorded at once, as immediate, with what is known so far.
    expect(riskReply.text).toMatch(/Segnalazione inviata/);
    const rows = await t.db.database.db.select().from(segnalazioni).where(eq(segnalazioni.conversationId, conversation.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ reference, urgency: 'immediate', immediateRisk: true, consentToContact: null });
    // Staff see it first in their list.
    const list = (await (await t.request('/api/v1/segnalazioni', { headers: { cookie: marco } })).json()) as { segnalazioni: { reference: string }[] };
    expect(list.segnalazioni[0]!.reference).toBe(reference);
  });

  it('explains how to apply, where to go, and opens a pre-application request', async () => {
    const chat = await openChat(t);
    await chat.choose(/^Altro/);
    const info = await chat.choose(/Come fare la domanda/);
    expect(info.text).toMatch(/ISEE \(l'attestazione del reddito della famiglia/);
    expect(info.text).toMatch(/65 anni/);
    const office = await chat.choose(/^Albairate$/);
    expect(office.text).toMatch(/Piazza Garibaldi 1/);
    expect(office.text).toMatch(/lun 09:00-12:00; mer 09:00-12:00, 14:00-16:00/);
    const pre = await chat.choose(/^Sì$/);
    const reference = /R-\d+/.exec(pre.text)![0];
    const [row] = await t.db.database.db.select().from(helpRequests).where(eq(helpRequests.reference, reference));
    expect(row).toMatchObject({ kind: 'on_demand', requestedText: 'pre_application', comuneId: 'albairate' });

    // Staff take it in charge; operators see requests of every comune.
    const patch = await t.request(`/api/v1/help-requests/${row!.id}`, { method: 'PATCH', headers: { cookie: marco, 'content-type': 'application/json' }, body: JSON.stringify({ takeInCharge: true }) });
    expect(patch.status).toBe(200);
    expect(((await patch.json()) as { helpRequest: { status: string } }).helpRequest.status).toBe('assigned');
    expect((await chat.say(reference)).text).toMatch(/presa in carico da un operatore/);
    const bad = await t.request(`/api/v1/help-requests/${row!.id}`, { method: 'PATCH', headers: { cookie: marco, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'new' }) });
    expect(bad.status).toBe(409);
    const malformed = await t.request('/api/v1/help-requests/not-a-uuid', { headers: { cookie: marco } });
    expect(malformed.status).toBe(404);
  });

  it('lists the accredited providers of a comune and explains the free choice', async () => {
    const chat = await openChat(t);
    const ask = await chat.say('quali cooperative ci sono?');
    expect(ask.understood.intent).toBe('providers');
    const list = await chat.choose(/^Albairate$/);
    expect(list.text).toMatch(/Cooperativa Il Sole \(test\) — telefono 0290000000/);
    expect(list.text).not.toMatch(/Aurora/);
    expect(list.text).toMatch(/La scelta del fornitore è libera/);
  });

  it('tells the person when an operator will answer outside office hours (patron day included)', async () => {
    const file = await f.createFile('albairate');
    const chat = await openChat(t);
    const res = await t.request(`/api/v1/people/${file.personId}/link-codes`, { method: 'POST', headers: { cookie: sara } });
    const { code } = (await res.json()) as { code: string };
    await chat.say(code);
    // Monday 7 December 2026, 18:00: closed; Tuesday 8 is a holiday, Wednesday 9 the patron day → Monday 14.
    t.setNow(new Date('2026-12-07T17:00:00Z'));
    try {
      const reply = await chat.say('vorrei parlare con un operatore');
      expect(reply.text).toMatch(/La metto in contatto con un operatore/);
      expect(reply.text).toMatch(/Le risponderemo da lunedì 14 dicembre alle 09:00/);
    } finally {
      t.setNow(undefined);
    }
    // While a person handles it, the bot stays silent.
    expect((await chat.say('grazie')).replies).toEqual([]);
  });

  it('walks a help request in English', async () => {
    t.setNow(new Date('2026-11-23T08:00:00Z'));
    try {
      const chat = await openChat(t, 'en');
      const first = await chat.say('I need help with the shopping on Thursday at 10');
      expect(first.understood).toMatchObject({ intent: 'request_help', family: '8' });
      expect(first.text).toMatch(/In which comune/);
      const confirm = await chat.choose(/^Rosate$/);
      expect(confirm.text).toMatch(/To sum up: .*in the comune of Rosate, Thursday 26 November at 10:00\. Shall I confirm the request\?/);
      const done = await chat.choose(/Yes, confirm/);
      expect(done.text).toMatch(/Request recorded\. Its number is R-\d+/);
    } finally {
      t.setNow(undefined);
    }
  });

  it('answers bad input in the middle of a flow politely and asks the question again', async () => {
    const chat = await openChat(t);
    await chat.choose(/Segnalare una persona/);
    const oldOption = chat.optionId(/Portiere/);
    await chat.choose(/^Portiere$/);
    const emoji = await chat.say('😀😀😀');
    expect(emoji.text).toMatch(/Non ho trovato parole/);
    expect(emoji.text).toMatch(/Come si chiama Lei/);
    const long = await chat.say('x'.repeat(5000));
    expect(long.text).toMatch(/molto lungo/);
    expect(long.text).toMatch(/Come si chiama Lei/);
    const empty = await chat.say('');
    expect(empty.replies.length).toBeGreaterThan(0);
    for (const option of [oldOption, 'm999.yes', 'nonsense', 'm1.delete_everything']) {
      const res = await chat.option(option);
      expect(res.text).toMatch(/non è più valida/);
    }
    // The stale option brought back the main menu: start the report again.
    await chat.choose(/Segnalare una persona/);
    await chat.choose(/^Portiere$/);
    const name = await chat.say('Giulia');
    expect(name.text).toMatch(/Come si chiama la persona/);
    const menu = await chat.say('menu');
    expect(menu.text).toMatch(/Scelga una di queste voci/);
  });
});
