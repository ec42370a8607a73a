/**
 * SMS gateway through the real HTTP app and database: Twilio signatures (valid, invalid,
 * replayed), store-first with MessageSid dedupe, numbered options, STOP, delivery callbacks,
 * first-contact phone links confirmed by staff, and every reply within two segments.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { createLogSmsSender, twilioSignature, type LogSmsSender } from '../../api/routes/sms.ts';
import { countSegments } from '../../core/channels/gsm.ts';
import { pendingInbound, storeInbound } from '../../db/channel-inbox.ts';
import { createOutboundWorker } from '../../db/outbound.ts';
import { channelIdentities, conversations, messages, outboundMessages, people, staffTasks } from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { createLogger } from '../../logger.ts';
import { processStoredSms } from '../../api/routes/sms.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

// Sent as fast as the test goes: at the providers' pace (30 Telegram messages a second, 10 SMS)
// a quick run would leave a reply waiting for the next second, and the test would read none.
const UNPACED = { perChatIntervalMs: 0, perSecond: { telegram: 1_000_000, sms: 1_000_000 } };

const TOKEN = 'twilio-test-auth-token';
let t: TestApp;
let sender: LogSmsSender;
let sid = 0;

beforeAll(async () => {
  t = await createTestApp({ env: { SMS_PROVIDER: 'log', TWILIO_AUTH_TOKEN: TOKEN } });
  sender = createLogSmsSender(await createI18n(), createLogger('silent'));
});
afterAll(async () => {
  await t?.close();
});

const nextSid = () => `SM${String(++sid).padStart(32, '0')}`;

function post(path: string, fields: Record<string, string>, signature?: string) {
  const sig = signature ?? twilioSignature(TOKEN, `http://localhost:3000${path}`, fields);
  return t.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig },
    body: new URLSearchParams(fields).toString(),
  });
}

const sms = (from: string, body: string, messageSid = nextSid()) => post('/sms/inbound', { From: from, To: '+390000', Body: body, MessageSid: messageSid });

async function flush(): Promise<void> {
  const worker = createOutboundWorker(t.db.database, [sender], { now: () => new Date() }, UNPACED);
  for (let i = 0; i < 20 && (await worker.tick()) > 0; i++);
}

async function textsTo(phone: string): Promise<string[]> {
  await flush();
  return sender.sent.filter((s) => s.to === phone).map((s) => s.text);
}

describe('SMS gateway', () => {
  it('refuses a missing or wrong signature with 403 and stores nothing', async () => {
    const fields = { From: '+393330000001', Body: 'ciao', MessageSid: nextSid() };
    expect((await post('/sms/inbound', fields, 'bogus')).status).toBe(403);
    const res = await t.request('/sms/inbound', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
    expect(res.status).toBe(403);
    // Signed for another URL: refused too.
    expect((await post('/sms/inbound', fields, twilioSignature(TOKEN, 'http://evil/sms/inbound', fields))).status).toBe(403);
    const [n] = await t.db.database.db.execute(sql`select count(*)::int as n from channel_inbound`).then((r) => ('rows' in (r as object) ? (r as { rows: { n: number }[] }).rows : (r as unknown as { n: number }[])));
    expect(n!.n).toBe(0);
  });

  it('answers 404 when SMS is off', async () => {
    const app = createApp({ config: { ...t.config, sms: { provider: 'off' } }, database: t.db.database, i18n: await createI18n(), logger: createLogger('silent'), live: { subscribe: () => () => {}, close: async () => {} } as never, sessionSecret: 'x'.repeat(40), now: () => new Date() });
    const res = await app.request('/sms/inbound', { method: 'POST', body: 'From=1' });
    expect(res.status).toBe(404);
  });

  it('answers in English a number that writes English, and goes on in it', async () => {
    const phone = '+393330000077';
    expect((await sms(phone, 'Hello, I need help at home for my mother, which cooperatives are there?')).status).toBe(200);
    const texts = await textsTo(phone);
    expect(texts.at(-1)).toMatch(/^In which comune[\s\S]*\nReply with a number from 1 to 14\.$/);
    const [conv] = await t.db.database.db
      .select({ locale: conversations.locale })
      .from(conversations)
      .innerJoin(channelIdentities, eq(channelIdentities.id, conversations.identityId))
      .where(and(eq(channelIdentities.channel, 'sms'), eq(channelIdentities.address, phone)));
    expect(conv!.locale).toBe('en');
    // A number is no language: the conversation stays in English.
    await sms(phone, '13');
    expect((await textsTo(phone)).slice(texts.length).join('\n')).toMatch(/accredited providers/);
  });

  it('welcomes a new number with the menu as numbered options, each reply within two GSM-7 segments', async () => {
    const phone = '+393330000002';
    const res = await sms(phone, 'buongiorno');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<Response>');
    const texts = await textsTo(phone);
    expect(texts.length).toBeGreaterThan(0);
    const menu = texts.find((x) => /\n1 .+\n2 /.test(x));
    expect(menu).toBeDefined();
    expect(menu).toMatch(/\nRisponda con un numero da 1 a 6\.$/);
    expect(menu).toContain('Chiedere aiuto a casa');
    for (const text of texts) {
      const s = countSegments(text);
      expect(s.segments, text).toBeLessThanOrEqual(2);
      expect(s.encoding).toBe('GSM-7');
    }
  });

  it('takes a number as the option and hands over to an operator (handover text fits too)', async () => {
    const phone = '+393330000003';
    await sms(phone, 'ciao');
    const menu = (await textsTo(phone)).find((x) => /\n1 .+\n2 /.test(x))!;
    const number = /^(\d) .*operatore/im.exec(menu)?.[1];
    expect(number, menu).toBeDefined();
    const before = sender.sent.length;
    expect((await sms(phone, number!)).status).toBe(200);
    const texts = (await textsTo(phone)).slice(-(sender.sent.length - before));
    expect(texts.join('\n')).toContain('operatore');
    for (const text of texts) expect(countSegments(text).segments).toBeLessThanOrEqual(2);
    const db = t.db.database.db;
    const [conv] = await db
      .select({ handling: conversations.handling })
      .from(conversations)
      .innerJoin(channelIdentities, eq(channelIdentities.id, conversations.identityId))
      .where(and(eq(channelIdentities.channel, 'sms'), eq(channelIdentities.address, phone)));
    expect(conv!.handling).not.toBe('bot');
  });

  it('a replayed MessageSid creates no second message, reply or queue row', async () => {
    const phone = '+393330000004';
    const id = nextSid();
    await sms(phone, 'ho bisogno di aiuto per la spesa', id);
    const db = t.db.database.db;
    const count = async () => {
      const m = await db.select({ n: sql<number>`count(*)::int` }).from(messages);
      const o = await db.select({ n: sql<number>`count(*)::int` }).from(outboundMessages);
      return [Number(m[0]!.n), Number(o[0]!.n)];
    };
    const first = await count();
    expect((await sms(phone, 'ho bisogno di aiuto per la spesa', id)).status).toBe(200);
    expect((await sms(phone, 'ho bisogno di aiuto per la spesa', id)).status).toBe(200);
    expect(await count()).toEqual(first);
  });

  it('a crash between storing and handling loses nothing: the sweep handles the stored SMS once', async () => {
    const phone = '+393330000005';
    const id = nextSid();
    const db = t.db.database.db;
    // Stored, then the process "dies" before handling.
    await storeInbound(db, { channel: 'sms', externalId: id, payload: { From: phone, To: '', Body: 'buongiorno' } });
    const pending = await pendingInbound(db, 'sms', new Date(Date.now() + 1000));
    const row = pending.find((p) => p.externalId === id)!;
    expect(row).toBeDefined();
    const ctx = { database: t.db.database, i18n: await createI18n(), now: () => new Date() };
    await processStoredSms(ctx, row);
    await processStoredSms(ctx, row); // a second sweep or a late retry changes nothing
    expect((await pendingInbound(db, 'sms', new Date(Date.now() + 1000))).find((p) => p.externalId === id)).toBeUndefined();
    const texts = await textsTo(phone);
    expect(texts.filter((x) => x.includes('Chiedere aiuto a casa'))).toHaveLength(1);
    // And the provider's retry of the same MessageSid after the sweep: nothing new.
    await sms(phone, 'buongiorno', id);
    expect((await textsTo(phone)).length).toBe(texts.length);
  });

  it('honours STOP: a confirmation, then nothing more on SMS', async () => {
    const phone = '+393330000006';
    await sms(phone, 'ciao');
    await flush();
    await sms(phone, 'STOP');
    const texts = await textsTo(phone);
    expect(texts.at(-1)).toContain('START');
    const db = t.db.database.db;
    const [identity] = await db.select().from(channelIdentities).where(and(eq(channelIdentities.channel, 'sms'), eq(channelIdentities.address, phone)));
    expect(identity!.reachable).toBe(false);
    await sms(phone, 'come stai');
    expect((await textsTo(phone)).length).toBe(texts.length);
  });

  it('a first contact from a number on file is not linked: staff confirm it', async () => {
    const db = t.db.database.db;
    const phone = '+393330000007';
    const [person] = await db.insert(people).values({ comuneId: 'albairate', givenName: 'Franco', phone: '333 000 0007' }).returning({ id: people.id });
    await sms(phone, 'ciao');
    const [identity] = await db.select().from(channelIdentities).where(and(eq(channelIdentities.channel, 'sms'), eq(channelIdentities.address, phone)));
    expect(identity!.personId).toBeNull();
    const tasks = await db.select().from(staffTasks).where(and(eq(staffTasks.kind, 'confirm_phone_link'), eq(staffTasks.personId, person!.id)));
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.comuneId).toBe('albairate');
  });

  it('delivery callbacks: a signed "undelivered" opens a staff task, an unsigned one is refused', async () => {
    const phone = '+393330000008';
    await sms(phone, 'ciao');
    await flush();
    const providerId = sender.sent.filter((s) => s.to === phone).at(-1)!.providerId;
    expect((await post('/sms/status', { MessageSid: providerId, MessageStatus: 'undelivered' }, 'nope')).status).toBe(403);
    expect((await post('/sms/status', { MessageSid: providerId, MessageStatus: 'undelivered' })).status).toBe(204);
    const db = t.db.database.db;
    const [row] = await db.select().from(outboundMessages).where(eq(outboundMessages.providerId, providerId));
    expect(row!.status).toBe('undelivered');
    const tasks = await db.select().from(staffTasks).where(eq(staffTasks.kind, 'sms_undelivered'));
    expect(tasks.some((x) => x.subjectId === String(row!.id))).toBe(true);
  });

  it('never logs phone numbers or message text', () => {
    const all = t.logs.join('\n');
    expect(all).not.toContain('+39333000000');
    expect(all).not.toContain('buongiorno');
  });
});
