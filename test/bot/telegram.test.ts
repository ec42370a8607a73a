/**
 * telegraf against a fake Bot API on 127.0.0.1, on the real database: polling and webhook,
 * redelivered updates, a crash between storing and handling, 403 (blocked) and 429 (retry_after).
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel, type TelegramChannel } from '../../bot/telegram.ts';
import { appendInbound } from '../../db/conversations.ts';
import { storeInbound } from '../../db/channel-inbox.ts';
import { createOutboundWorker, type OutboundWorker } from '../../db/outbound.ts';
import { issueLinkCode } from '../../db/chat-link.ts';
import { channelIdentities, conversations, documents, outboundMessages, people, staffTasks, staffUsers } from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { createLogger } from '../../logger.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

// Sent as fast as the test goes: at the providers' pace (30 Telegram messages a second, 10 SMS)
// a quick run would leave a reply waiting for the next second, and the test would read none.
const UNPACED = { perChatIntervalMs: 0, perSecond: { telegram: 1_000_000, sms: 1_000_000 } };

const TOKEN = '123456:TEST-token';
const SECRET = 'webhook-secret_1';
let t: TestApp;
let fake: FakeTelegram;
let channel: TelegramChannel;
let worker: OutboundWorker;
let clock = 0; // ms added to the real time, for backoff tests
let updateId = 1000;

beforeAll(async () => {
  fake = await startFakeTelegram(TOKEN);
  t = await createTestApp({ env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.apiRoot } });
  const now = () => new Date(Date.now() + clock);
  const ctx = { database: t.db.database, i18n: await createI18n(), now, logger: createLogger('silent'), publicUrl: 'http://localhost:3000' };
  channel = createTelegramChannel({ enabled: true, token: TOKEN, apiRoot: fake.apiRoot, mode: 'polling' }, ctx, { pollTimeoutSeconds: 0, typingAfterMs: 0 });
  worker = createOutboundWorker(t.db.database, [channel.sender], { now }, UNPACED);
});
afterAll(async () => {
  await channel?.stop();
  await t?.close();
  await fake?.close();
});

const chat = (id: number) => ({ id, type: 'private' });
const textUpdate = (chatId: number, text: string, id = ++updateId) => ({ update_id: id, message: { message_id: id, date: 0, chat: chat(chatId), from: { id: chatId, is_bot: false, first_name: 'x' }, text } });

async function flush(): Promise<void> {
  for (let i = 0; i < 20 && (await worker.tick()) > 0; i++);
}

describe('Telegram polling', () => {
  it('stores, handles and answers /start with an inline keyboard; a redelivered update does nothing twice', async () => {
    const start = textUpdate(501, '/start');
    fake.pushUpdate(start);
    expect(await channel.pollOnce()).toBe(1);
    await flush();
    const sent = fake.sent(501);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    const menu = sent.find((c) => c.payload.reply_markup);
    const keyboard = (menu!.payload.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard;
    expect(keyboard.every((row) => row.length === 1)).toBe(true);
    expect(fake.calls.some((c) => c.method === 'sendChatAction')).toBe(true);
    // Telegram redelivers the same update (e.g. the offset was never confirmed).
    fake.pushUpdate(start);
    await channel.pollOnce();
    await flush();
    expect(fake.sent(501).length).toBe(sent.length);

    // A button press: the option goes through the same engine.
    const option = keyboard.find((row) => /operatore/i.test(row[0]!.text))![0]!;
    fake.pushUpdate({ update_id: ++updateId, callback_query: { id: 'cb1', data: option.callback_data, from: { id: 501 }, message: { message_id: 1, chat: chat(501) } } });
    await channel.pollOnce();
    await flush();
    expect(fake.sent(501).length).toBeGreaterThan(sent.length);
    expect(fake.calls.some((c) => c.method === 'answerCallbackQuery')).toBe(true);
  });

  it('links with a /start CODE deep link through the same one-time code check as the chat', async () => {
    const db = t.db.database.db;
    const [person] = await db.insert(people).values({ comuneId: 'albairate', givenName: 'Rosa' }).returning({ id: people.id });
    const [staff] = await db.select({ id: staffUsers.id }).from(staffUsers).limit(1);
    const { code } = await issueLinkCode(db, { personId: person!.id, issuedBy: staff!.id, now: new Date() });
    fake.pushUpdate(textUpdate(510, `/start ${code}`));
    await channel.pollOnce();
    await flush();
    const [identity] = await db.select().from(channelIdentities).where(and(eq(channelIdentities.channel, 'telegram'), eq(channelIdentities.address, '510')));
    expect(identity!.personId).toBe(person!.id);
    // Single use: another chat cannot reuse it.
    fake.pushUpdate(textUpdate(511, `/start ${code}`));
    await channel.pollOnce();
    await flush();
    const [other] = await db.select().from(channelIdentities).where(and(eq(channelIdentities.channel, 'telegram'), eq(channelIdentities.address, '511')));
    expect(other!.personId).toBeNull();
  });

  it('a crash between storing and handling loses nothing: the sweep handles it once', async () => {
    const db = t.db.database.db;
    // Stored only (the process died before handling).
    const u = textUpdate(502, 'buongiorno');
    await storeInbound(db, { channel: 'telegram', externalId: String(u.update_id), payload: u });
    expect(await channel.sweep(0)).toBe(1);
    await flush();
    const n = fake.sent(502).length;
    expect(n).toBeGreaterThan(0);
    // Died later: message stored in the conversation, engine never ran.
    const [identity] = await db.select().from(channelIdentities).where(and(eq(channelIdentities.channel, 'telegram'), eq(channelIdentities.address, '502')));
    const [conv] = await db.select().from(conversations).where(eq(conversations.identityId, identity!.id));
    const u2 = textUpdate(502, 'operatore');
    await storeInbound(db, { channel: 'telegram', externalId: String(u2.update_id), payload: u2 });
    await appendInbound(db, conv!.id, { body: 'operatore', input: { kind: 'text' }, externalId: String(u2.update_id) });
    expect(await channel.sweep(0)).toBe(1);
    await flush();
    expect(fake.sent(502).length).toBeGreaterThan(n);
    const after = fake.sent(502).length;
    expect(await channel.sweep(0)).toBe(0);
    await flush();
    expect(fake.sent(502).length).toBe(after);
  });

  it('a blocked bot (403) marks the identity unreachable, opens a staff task and falls back to SMS', async () => {
    const db = t.db.database.db;
    const [person] = await db.insert(people).values({ comuneId: 'albairate', givenName: 'Maria' }).returning({ id: people.id });
    await db.insert(channelIdentities).values({ channel: 'telegram', address: '503', personId: person!.id });
    await db.insert(channelIdentities).values({ channel: 'sms', address: '+393339990503', personId: person!.id });
    fake.block(503);
    fake.pushUpdate(textUpdate(503, 'ciao'));
    await channel.pollOnce();
    await flush();
    const [identity] = await db.select().from(channelIdentities).where(and(eq(channelIdentities.channel, 'telegram'), eq(channelIdentities.address, '503')));
    expect(identity!.reachable).toBe(false);
    const tasks = await db.select().from(staffTasks).where(and(eq(staffTasks.kind, 'unreachable_identity'), eq(staffTasks.personId, person!.id)));
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.comuneId).toBe('albairate');
    const fallback = await db.select().from(outboundMessages).where(and(eq(outboundMessages.channel, 'sms'), eq(outboundMessages.personId, person!.id)));
    expect(fallback.length).toBeGreaterThan(0);
  });

  it('honours 429 retry_after before sending again', async () => {
    const db = t.db.database.db;
    fake.throttle(504, 30, 1);
    fake.pushUpdate(textUpdate(504, 'ciao'));
    await channel.pollOnce();
    await worker.tick();
    const [first] = await db.select().from(outboundMessages).where(eq(outboundMessages.address, '504')).orderBy(outboundMessages.id).limit(1);
    expect(first!.status).toBe('queued');
    expect(first!.lastError).toBe('telegram_429');
    expect(first!.nextAttemptAt.getTime() - Date.now()).toBeGreaterThan(25_000);
    await worker.tick();
    expect(fake.sent(504).filter((c) => c.payload.text)).toHaveLength(1); // only the throttled try
    clock = 31_000;
    await flush();
    clock = 0;
    const [again] = await db.select().from(outboundMessages).where(eq(outboundMessages.id, first!.id));
    expect(again!.status).toBe('sent');
  });

  it('links with a shared contact only when it is the sender’s own and matches the number on file', async () => {
    const db = t.db.database.db;
    const [person] = await db.insert(people).values({ comuneId: 'albairate', givenName: 'Franco', phone: '+39 333 555 0505' }).returning({ id: people.id });
    fake.pushUpdate({ update_id: ++updateId, message: { message_id: 1, date: 0, chat: chat(505), from: { id: 505 }, contact: { phone_number: '393335550505', user_id: 999 } } });
    await channel.pollOnce();
    let [identity] = await db.select().from(channelIdentities).where(and(eq(channelIdentities.channel, 'telegram'), eq(channelIdentities.address, '505')));
    expect(identity!.personId).toBeNull();
    fake.pushUpdate({ update_id: ++updateId, message: { message_id: 2, date: 0, chat: chat(505), from: { id: 505 }, contact: { phone_number: '393335550505', user_id: 505 } } });
    await channel.pollOnce();
    [identity] = await db.select().from(channelIdentities).where(and(eq(channelIdentities.channel, 'telegram'), eq(channelIdentities.address, '505')));
    expect(identity!.personId).toBe(person!.id);
  });

  it('stores a voice note as a document and hands the conversation to staff', async () => {
    const db = t.db.database.db;
    fake.files.set('media/voice-1', Buffer.from('OggS-fake-voice'));
    fake.pushUpdate({ update_id: ++updateId, message: { message_id: 3, date: 0, chat: chat(506), from: { id: 506 }, voice: { file_id: 'voice-1', mime_type: 'audio/ogg', duration: 2 } } });
    await channel.pollOnce();
    const [identity] = await db.select().from(channelIdentities).where(and(eq(channelIdentities.channel, 'telegram'), eq(channelIdentities.address, '506')));
    const [conv] = await db.select().from(conversations).where(eq(conversations.identityId, identity!.id));
    expect(conv!.handling).toBe('waiting');
    const docs = await db.select({ type: documents.type, size: documents.sizeBytes }).from(documents).where(eq(documents.conversationId, conv!.id));
    expect(docs).toEqual([{ type: 'voice', size: 15 }]);
  });
});

describe('Telegram webhook', () => {
  it('checks the secret (401), accepts ignored kinds with 200, stores once and is handled from the store', async () => {
    const update = textUpdate(601, 'buongiorno');
    const post = (body: unknown, secret?: string) =>
      t.request('/telegram/webhook', { method: 'POST', headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) }, body: JSON.stringify(body) });
    expect((await post(update)).status).toBe(401);
    expect((await post(update, 'wrong')).status).toBe(401);
    expect((await post({ update_id: ++updateId, edited_message: { text: 'x' } }, SECRET)).status).toBe(200);
    expect((await post(update, SECRET)).status).toBe(200);
    expect((await post(update, SECRET)).status).toBe(200); // redelivery
    // The admin's channel health view counts it as waiting, then handled; replies as sent.
    const cookie = await t.login('paola');
    const status = async () => (await (await t.request('/api/v1/admin/channels/status', { headers: { cookie } })).json()) as { inbound: { waiting: number; handled: number }; outbound: Record<string, number> };
    const before = await status();
    expect(before.inbound.waiting).toBeGreaterThanOrEqual(1);
    expect(await channel.sweep(0)).toBeGreaterThanOrEqual(1);
    await flush();
    const n = fake.sent(601).length;
    expect(n).toBeGreaterThan(0);
    const after = await status();
    expect(after.inbound.waiting).toBe(0);
    expect(after.inbound.handled).toBeGreaterThan(before.inbound.handled);
    expect(after.outbound['telegram:sent'] ?? 0).toBeGreaterThanOrEqual((before.outbound['telegram:sent'] ?? 0) + n);
    expect((await post(update, SECRET)).status).toBe(200);
    await channel.sweep(0);
    await flush();
    expect(fake.sent(601).length).toBe(n);
  });
});
