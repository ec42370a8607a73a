/**
 * Reliability proofs through the real HTTP app on the real database (issue #8):
 * - replay: the same Telegram update and the same SMS MessageSid delivered 1,000 times (half
 *   concurrently, 100 at a time, half in sequence) → one stored inbound row, one message, one
 *   help request, one set of replies queued and sent once;
 * - ordering: webhooks of one conversation arriving concurrently are handled in channel order
 *   (Telegram update_id; SMS the order they were stored in);
 * - races: racing voucher redemptions never take a balance below zero and the ledger adds up.
 * PGlite is an order of magnitude slower per request (one connection, in process; ~30 ms per
 * request on a loaded 2-core machine), so the full sizes (1,000 deliveries, 10,000 redemptions)
 * run on PostgreSQL and PGlite runs the same proofs at 100 deliveries and 400 redemptions.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogSmsSender, type LogSmsSender } from '../../api/routes/sms.ts';
import { createTelegramChannel, type TelegramChannel } from '../../bot/telegram.ts';
import { createOutboundWorker, type OutboundWorker } from '../../db/outbound.ts';
import { channelIdentities, channelInbound, conversations, helpRequests, messages, outboundMessages, voucherLedger } from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { createLogger } from '../../logger.ts';
import { createCaseFixtures, ledgerBalance, type CaseFile, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { messageSid, pool, RELIABILITY_SEED, smsWebhookInit, telegramText, telegramWebhookInit, waitFor } from '../helpers/reliability.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped, testDbKind } from '../helpers/test-db.ts';

// Sent as fast as the test goes: at the providers' pace (30 Telegram messages a second, 10 SMS)
// a quick run would leave a reply waiting for the next second, and the test would read none.
const UNPACED = { perChatIntervalMs: 0, perSecond: { telegram: 1_000_000, sms: 1_000_000 } };

const TOKEN = '424242:RELIABILITY';
const SECRET = 'reliability-secret';
const SMS_TOKEN = 'reliability-twilio-token';
const PUBLIC_URL = 'http://localhost:3000';
/** A Monday morning: "martedì alle 10" is a valid time for a visit. */
const CHAT_NOW = new Date('2026-11-23T08:00:00Z');
const FULL = testDbKind === 'postgres';
/** Deliveries of the same update: half concurrently (100 in flight), half in sequence. */
const REPLAYS = FULL ? 1000 : 100;

describe.skipIf(postgresSkipped)(`reliability: replay, ordering, races (${testDbKind})`, () => {
  let t: TestApp;
  let fake: FakeTelegram;
  let channel: TelegramChannel;
  let sms: LogSmsSender;
  let worker: OutboundWorker;
  let f: CaseFixtures;

  beforeAll(async () => {
    fake = await startFakeTelegram(TOKEN);
    t = await createTestApp({
      env: { PUBLIC_URL, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.apiRoot, SMS_PROVIDER: 'log', TWILIO_AUTH_TOKEN: SMS_TOKEN },
    });
    t.setNow(CHAT_NOW);
    const i18n = await createI18n();
    const logger = createLogger('silent');
    // The bot handles stored updates as in production: woken by NOTIFY (no sweep during the test).
    channel = createTelegramChannel(
      { enabled: true, token: TOKEN, apiRoot: fake.apiRoot, mode: 'webhook', webhookSecret: SECRET },
      { database: t.db.database, i18n, now: () => CHAT_NOW, logger, publicUrl: PUBLIC_URL },
      { sweepMs: 3_600_000 },
    );
    await channel.start();
    sms = createLogSmsSender(i18n, logger);
    // The queue runs on the real clock (rows are due at the database's now()).
    worker = createOutboundWorker(t.db.database, [channel.sender, sms], { now: () => new Date() }, UNPACED);
    f = await createCaseFixtures(t.db.database.db);
  });
  afterAll(async () => {
    await channel?.stop();
    await t?.close();
    await fake?.close();
  });

  const db = () => t.db.database.db;
  const tg = (update: unknown) => t.request('/telegram/webhook', telegramWebhookInit(update, SECRET));
  const sendSms = (from: string, body: string, sid: string) => t.request('/sms/inbound', smsWebhookInit(PUBLIC_URL, SMS_TOKEN, { From: from, Body: body, MessageSid: sid }));

  async function flush(): Promise<void> {
    for (let i = 0; i < 30 && (await worker.tick()) > 0; i++);
  }

  async function processed(channelName: 'telegram' | 'sms', externalId: string): Promise<boolean> {
    const rows = await db().select({ at: channelInbound.processedAt }).from(channelInbound).where(and(eq(channelInbound.channel, channelName), eq(channelInbound.externalId, externalId)));
    return rows.length === 1 && rows[0]!.at !== null;
  }

  async function conversationOf(channelName: 'telegram' | 'sms', address: string): Promise<string> {
    const [row] = await db()
      .select({ id: conversations.id })
      .from(conversations)
      .innerJoin(channelIdentities, eq(channelIdentities.id, conversations.identityId))
      .where(and(eq(channelIdentities.channel, channelName), eq(channelIdentities.address, address)));
    return row!.id;
  }

  /** Inbound messages of a conversation in seq order: [externalId, intent]. */
  async function inboundOrder(conversationId: string): Promise<{ externalId: string | null; intent: unknown }[]> {
    const rows = await db()
      .select({ externalId: messages.externalId, understood: messages.understood })
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'in'), eq(messages.author, 'person')))
      .orderBy(asc(messages.seq));
    return rows.map((r) => ({ externalId: r.externalId, intent: r.understood?.intent }));
  }

  /** Delivers one request REPLAYS times: half concurrently (100 in flight), then half in sequence. */
  async function deliverRepeatedly(send: () => Promise<Response>): Promise<number[]> {
    const statuses = await pool(100, Array.from({ length: REPLAYS / 2 }, () => async () => (await send()).status));
    for (let i = 0; i < REPLAYS / 2; i++) statuses.push((await send()).status);
    expect(statuses).toHaveLength(REPLAYS);
    return statuses;
  }

  /** The replay proof, after the conversation reached the confirmation question. */
  async function expectOneOfEverything(channelName: 'telegram' | 'sms', address: string, externalId: string, sentTo: () => number): Promise<void> {
    const conversationId = await conversationOf(channelName, address);
    expect(await db().select({ id: channelInbound.id }).from(channelInbound).where(and(eq(channelInbound.channel, channelName), eq(channelInbound.externalId, externalId)))).toHaveLength(1);
    const stored = await db().select({ id: messages.id }).from(messages).where(and(eq(messages.conversationId, conversationId), eq(messages.externalId, externalId)));
    expect(stored).toHaveLength(1);
    expect(await db().select({ id: helpRequests.id }).from(helpRequests).where(eq(helpRequests.conversationId, conversationId))).toHaveLength(1);
    const replies = await db().select({ id: messages.id }).from(messages).where(eq(messages.replyTo, stored[0]!.id));
    expect(replies.length).toBeGreaterThan(0);
    const queued = await db().select({ messageId: outboundMessages.messageId, status: outboundMessages.status }).from(outboundMessages).where(inArray(outboundMessages.messageId, replies.map((r) => r.id)));
    expect(queued.map((q) => q.messageId).sort()).toEqual(replies.map((r) => r.id).sort());
    expect(queued.every((q) => q.status === 'sent')).toBe(true);
    // What the provider received for this conversation = the rows sent to it, none twice.
    const rowsSent = await db().select({ n: sql<number>`count(*)::int` }).from(outboundMessages).where(and(eq(outboundMessages.conversationId, conversationId), eq(outboundMessages.status, 'sent')));
    expect(sentTo()).toBe(Number(rowsSent[0]!.n));
  }

  it(`the same Telegram update delivered ${REPLAYS} times: one inbound row, one message, one request, one reply`, { timeout: 120_000 }, async () => {
    const chat = 880001;
    const walk = [telegramText(5001, chat, 'vorrei aiuto per la spesa martedì alle 10'), telegramText(5002, chat, 'Albairate')];
    for (const u of walk) {
      expect((await tg(u)).status).toBe(200);
      await waitFor(`update ${u.update_id} handled`, () => processed('telegram', String(u.update_id)));
    }
    await flush();
    const confirm = telegramText(5003, chat, 'sì');
    const statuses = await deliverRepeatedly(() => tg(confirm));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await waitFor('the confirming update handled', () => processed('telegram', '5003'));
    await channel.sweep(0); // nothing left: every redelivery was recognised
    await flush();
    await expectOneOfEverything('telegram', String(chat), '5003', () => fake.sent(chat).length);
    const [request] = await db().select({ kind: helpRequests.kind, comuneId: helpRequests.comuneId }).from(helpRequests).where(eq(helpRequests.conversationId, await conversationOf('telegram', String(chat))));
    expect(request).toEqual({ kind: 'on_demand', comuneId: 'albairate' });
  });

  it(`the same SMS MessageSid delivered ${REPLAYS} times: one inbound row, one message, one request, one reply`, { timeout: 120_000 }, async () => {
    const phone = '+393338800001';
    for (const [n, body] of [[7001, 'vorrei aiuto per la spesa martedì alle 10'], [7002, 'Albairate']] as const) {
      expect((await sendSms(phone, body, messageSid(n))).status).toBe(200);
    }
    const statuses = await deliverRepeatedly(() => sendSms(phone, 'sì', messageSid(7003)));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(await processed('sms', messageSid(7003))).toBe(true);
    await flush();
    await expectOneOfEverything('sms', phone, messageSid(7003), () => sms.sent.filter((s) => s.to === phone).length);
  });

  it('handles a chat’s Telegram webhooks arriving concurrently in update_id order', async () => {
    const chat = 880002;
    const updates = [telegramText(6001, chat, 'vorrei aiuto per la spesa martedì alle 10'), telegramText(6002, chat, 'Albairate'), telegramText(6003, chat, 'sì')];
    // All at once, newest first: arrival (and commit) order is the reverse of Telegram's order.
    const statuses = await Promise.all([...updates].reverse().map((u) => tg(u)));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 200]);
    await waitFor('all three handled', async () => (await Promise.all(updates.map((u) => processed('telegram', String(u.update_id))))).every(Boolean));
    const conversationId = await conversationOf('telegram', String(chat));
    const order = await inboundOrder(conversationId);
    expect(order.map((o) => o.externalId)).toEqual(['6001', '6002', '6003']);
    // The engine moved through the flow in that order: the "sì" confirmed the recap → a request.
    expect(order[0]!.intent).toBe('request_help');
    expect(await db().select({ id: helpRequests.id }).from(helpRequests).where(eq(helpRequests.conversationId, conversationId))).toHaveLength(1);
  });

  it('handles several chats’ Telegram webhooks, many per chat, each chat in update_id order and each update once', async () => {
    const chats = [880101, 880102, 880103, 880104, 880105];
    const texts = ['buongiorno', 'grazie', 'buonasera'];
    const updates = chats.flatMap((chat, c) => texts.map((text, i) => telegramText(6100 + c * 10 + i, chat, text)));
    const statuses = await Promise.all([...updates].reverse().map((u) => tg(u)));
    expect(statuses.every((r) => r.status === 200)).toBe(true);
    await waitFor('all handled', async () => (await Promise.all(updates.map((u) => processed('telegram', String(u.update_id))))).every(Boolean));
    for (const [c, chat] of chats.entries()) {
      const order = await inboundOrder(await conversationOf('telegram', String(chat)));
      expect(order.map((o) => o.externalId)).toEqual(texts.map((_, i) => String(6100 + c * 10 + i)));
    }
  });

  it('handles a phone’s SMS webhooks arriving concurrently in the order they were stored', async () => {
    const phone = '+393338800002';
    const bodies = ['vorrei aiuto per la spesa martedì alle 10', 'Albairate', 'sì'];
    // First one alone (it opens the conversation), then two racing.
    expect((await sendSms(phone, bodies[0]!, messageSid(8001))).status).toBe(200);
    const racing = await Promise.all([sendSms(phone, bodies[1]!, messageSid(8002)), sendSms(phone, bodies[2]!, messageSid(8003))]);
    expect(racing.map((r) => r.status)).toEqual([200, 200]);
    const stored = await db().select({ externalId: channelInbound.externalId }).from(channelInbound).where(inArray(channelInbound.externalId, [8001, 8002, 8003].map(messageSid))).orderBy(asc(channelInbound.id));
    const order = await inboundOrder(await conversationOf('sms', phone));
    // Insertion order is the only order SMS has: the conversation holds them exactly in it.
    expect(order.map((o) => o.externalId)).toEqual(stored.map((s) => s.externalId));
  });

  it('racing voucher redemptions never overdraw a programme, and every ledger adds up', { timeout: 240_000 }, async () => {
    const programmesCount = FULL ? 50 : 10;
    const attempts = FULL ? 10_000 : 400;
    const issued = FULL ? 20 : 15;
    const files: CaseFile[] = [];
    for (let i = 0; i < programmesCount; i++) files.push(await f.createFile('albairate', { issuedHours: issued }));
    const cookie = await t.login('sara');
    // Fixed-seed random order of which programme each redemption hits.
    const [targets] = fc.sample(fc.array(fc.nat(programmesCount - 1), { minLength: attempts, maxLength: attempts }), { seed: RELIABILITY_SEED, numRuns: 1 });
    const deliveredAt = new Date(CHAT_NOW.getTime() - 3600_000).toISOString();
    const outcomes = await pool(
      16,
      targets!.map((i) => async () => {
        const res = await t.json(`/api/v1/programmes/${files[i]!.programmeId}/redemptions`, { hours: 1, deliveredAt }, { headers: { cookie } });
        const body = (await res.json()) as { balanceHours?: number; error?: { code: string } };
        return { i, status: res.status, code: body.error?.code, balance: body.balanceHours };
      }),
    );
    expect(outcomes.filter((o) => o.status !== 201 && !(o.status === 409 && o.code === 'INSUFFICIENT_BALANCE'))).toEqual([]);
    expect(outcomes.filter((o) => o.status === 201).every((o) => o.balance !== undefined && o.balance >= 0)).toBe(true);
    for (const [i, file] of files.entries()) {
      const tries = targets!.filter((x) => x === i).length;
      const ok = outcomes.filter((o) => o.i === i && o.status === 201).length;
      expect(ok).toBe(Math.min(issued, tries));
      const rows = await db().select({ kind: voucherLedger.kind, hours: voucherLedger.hours }).from(voucherLedger).where(eq(voucherLedger.programmeId, file.programmeId));
      const redeemed = rows.filter((r) => r.kind === 'redeem').reduce((s, r) => s + r.hours, 0);
      const issuedSum = rows.filter((r) => r.kind === 'issue').reduce((s, r) => s + r.hours, 0);
      expect(redeemed).toBe(ok);
      expect(await ledgerBalance(db(), file.programmeId)).toBe(issuedSum - redeemed);
      expect(issuedSum - redeemed).toBeGreaterThanOrEqual(0);
    }
  });
});
