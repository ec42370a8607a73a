/**
 * The web-chat flow scenarios (test/api/chat-flows*.test.ts) as one table, replayed on Telegram
 * (test/bot/telegram-flows.test.ts) and SMS (test/api/sms-flows.test.ts) through each channel's
 * real transport: the same engine, the same stored records, the channel's own way of choosing.
 */
import { and, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { applications, conversations, helpRequests, programmeSuspensions, segnalazioni } from '../../db/schema.ts';
import type { CaseFixtures } from '../helpers/case-fixtures.ts';
import type { TestApp } from '../helpers/test-app.ts';

/** A person writing on one channel. Each call returns the text of the replies it caused. */
export interface ChannelUser {
  channel: 'telegram' | 'sms';
  address: string;
  say(text: string): Promise<string>;
  /** Picks an offered option by its label: a button on Telegram, its number on SMS. */
  choose(label: RegExp): Promise<string>;
  /** Links the identity to a person with a staff-issued one-time code. */
  link(code: string): Promise<string>;
  conversation(): Promise<typeof conversations.$inferSelect>;
}

export interface ScenarioEnv {
  t: TestApp;
  f: CaseFixtures;
  /** Cookie of a social worker of Albairate (issues link codes). */
  staffCookie: string;
  newUser(): Promise<ChannelUser>;
  /** Sets the clock of the app and of the channel workers (undefined = real time). */
  setNow(now: Date | undefined): void;
}

export interface Scenario {
  name: string;
  run(env: ScenarioEnv): Promise<void>;
}

async function issueCode(env: ScenarioEnv, personId: string): Promise<string> {
  const res = await env.t.request(`/api/v1/people/${personId}/link-codes`, { method: 'POST', headers: { cookie: env.staffCookie } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { code: string }).code;
}

async function linkedUser(env: ScenarioEnv, personId: string): Promise<ChannelUser> {
  const user = await env.newUser();
  expect(await user.link(await issueCode(env, personId))).toMatch(/ora La riconosco/);
  return user;
}

/** A Monday: Thursday 26 November is three days ahead. */
const MONDAY = new Date('2026-11-23T08:00:00Z');

async function at<T>(env: ScenarioEnv, now: Date, fn: () => Promise<T>): Promise<T> {
  env.setNow(now);
  try {
    return await fn();
  } finally {
    env.setNow(undefined);
  }
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'help request for shopping becomes a visit request with a reference',
    async run(env) {
      // Linked first: the staff session that issues the code lives on the real clock.
      const file = await env.f.createFile('albairate');
      const user = await linkedUser(env, file.personId);
      await at(env, MONDAY, async () => {
        const summary = await user.say('vorrei aiuto per fare la spesa giovedì alle 10');
        expect(summary).toMatch(/Ricapitolo: Accompagnamento \(spesa, commissioni\), per Lei, giovedì 26 novembre alle 10:00/);
        const done = await user.choose(/confermo/);
        const reference = /R-\d+/.exec(done)?.[0];
        expect(reference, done).toBeDefined();
        const [row] = await env.t.db.database.db.select().from(helpRequests).where(eq(helpRequests.reference, reference!));
        expect(row).toMatchObject({ kind: 'visit', personId: file.personId, programmeId: file.programmeId, comuneId: 'albairate', service: '8A', status: 'new' });
        expect(row!.requestedStart!.toISOString()).toBe('2026-11-26T09:00:00.000Z');
      });
    },
  },
  {
    name: 'hours left',
    async run(env) {
      const file = await env.f.createFile('albairate', { issuedHours: 37 });
      const user = await linkedUser(env, file.personId);
      expect(await user.say('QUANTE ORE HO ANCORA')).toMatch(/Le restano 37 ore di voucher/);
    },
  },
  {
    name: 'my application: status and place on the waiting list',
    async run(env) {
      const file = await env.f.createFile('albairate');
      await env.t.db.database.db
        .update(applications)
        .set({ status: 'waiting_list', totalPoints: 50, autonomyPoints: 20, applicationDate: '2026-09-01' })
        .where(eq(applications.id, file.applicationId));
      const user = await linkedUser(env, file.personId);
      await user.say('menu');
      const status = await user.choose(/La mia domanda/);
      expect(status).toMatch(/in lista d'attesa/);
      expect(status).toMatch(/posto numero \d+|primo posto/);
    },
  },
  {
    name: 'suspension for a hospital stay, recorded for staff confirmation',
    async run(env) {
      const file = await env.f.createFile('albairate');
      const user = await linkedUser(env, file.personId);
      const confirm = await user.say('devo andare in ospedale dal 10 al 20 dicembre, bisogna sospendere il servizio');
      expect(confirm).toMatch(/Ricovero in ospedale, da giovedì 10 dicembre a domenica 20 dicembre/);
      expect(await user.choose(/^S[iì]$/)).toMatch(/servizio sociale lo confermer/);
      const rows = await env.t.db.database.db
        .select()
        .from(programmeSuspensions)
        .where(and(eq(programmeSuspensions.programmeId, file.programmeId), eq(programmeSuspensions.source, 'chat')));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ reason: 'hospital', status: 'requested' });
    },
  },
  {
    name: 'segnalazione by a custode sociale, step by step, with a reference',
    async run(env) {
      const user = await env.newUser();
      await user.say('buongiorno');
      await user.choose(/Segnalare una persona/);
      await user.choose(/^Custode sociale$/);
      await user.say('Ahmed');
      await user.say('Signora Ferri');
      expect(await user.say('via Roma 3, Abbiategrasso')).toMatch(/Che cosa non va/);
      await user.choose(/Non si vede da giorni/);
      await user.say('non ritira la posta da una settimana');
      await user.choose(/^S[iì]$/);
      await user.choose(/^No$/);
      await user.choose(/^No$/);
      expect(await user.choose(/^S[iì]$/)).toMatch(/Ricapitolo: Signora Ferri/);
      const done = await user.choose(/^S[iì]$/);
      const reference = /S-\d+/.exec(done)?.[0];
      expect(reference, done).toBeDefined();
      const [row] = await env.t.db.database.db.select().from(segnalazioni).where(eq(segnalazioni.reference, reference!));
      expect(row).toMatchObject({ reporterRole: 'custode', reporterName: 'Ahmed', subjectName: 'Signora Ferri', comuneId: 'abbiategrasso', problems: ['not_seen'], immediateRisk: false });
      expect(row!.conversationId).toBe((await user.conversation()).id);
    },
  },
  {
    name: 'emergency: 112 first, and the conversation is pinned for staff',
    async run(env) {
      const user = await env.newUser();
      const reply = await user.say('mia mamma è caduta e non si rialza');
      expect(reply.split('\n')[0]).toMatch(/chiami subito il 112/);
      const conversation = await user.conversation();
      expect(conversation).toMatchObject({ urgent: true, handling: 'waiting' });
    },
  },
  {
    name: 'handover to an operator, then the bot stays silent',
    async run(env) {
      const user = await env.newUser();
      expect(await user.say('vorrei parlare con un operatore')).toMatch(/operatore/);
      expect((await user.conversation()).handling).not.toBe('bot');
      expect(await user.say('grazie')).toBe('');
    },
  },
  {
    name: 'ANNULLA leaves the question: no request is recorded',
    run: (env) =>
      at(env, MONDAY, async () => {
        const user = await env.newUser();
        expect(await user.say('vorrei aiuto per la spesa martedì alle 10')).toMatch(/In quale Comune/);
        expect(await user.choose(/^Albairate$/)).toMatch(/Ricapitolo/);
        const cancelled = await user.say('ANNULLA');
        expect(cancelled).not.toBe('');
        expect(cancelled).not.toMatch(/R-\d+/);
        const conversation = await user.conversation();
        expect(await env.t.db.database.db.select().from(helpRequests).where(eq(helpRequests.conversationId, conversation.id))).toHaveLength(0);
      }),
  },
];
