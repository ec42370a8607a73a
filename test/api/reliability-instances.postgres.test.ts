/**
 * Two centrale processes on one PostgreSQL database (issue #8):
 * - started at the same moment on an empty database: the start-up advisory lock serialises
 *   migrations and demo seeding, so both start and there is one demo data set;
 * - webhook traffic split across both, every update also sent to the other → stored and answered
 *   once, nothing lost;
 * - a web-chat stream on B sees a message stored through A (Postgres LISTEN/NOTIFY);
 * - login attempts are counted across both (rate limits live in Postgres);
 * - with Telegram polling on two instances, one polls at a time (the lease).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_LIMIT } from '../../api/routes/auth.ts';
import { createTelegramChannel, type TelegramChannel } from '../../bot/telegram.ts';
import { openDatabase, type Database } from '../../db/client.ts';
import { DEMO_COMUNI } from '../../db/demo-comuni.ts';
import { channelInbound, comuni, messages, outboundMessages, staffUsers } from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { createLogger } from '../../logger.ts';
import { freePort, startCentraleProcess, type CentraleProcess } from '../helpers/centrale-process.ts';
import { messageSid, sleep, smsWebhookInit, startFakeBotApi, startFakeTwilio, telegramText, telegramWebhookInit, waitFor, type FakeBotApi, type FakeTwilio } from '../helpers/reliability.ts';
import { createEmptyTestDatabase, postgresSkipped, type TestDatabase } from '../helpers/test-db.ts';

const TOKEN = '888000:TWO';
const SECRET = 'two-instances-secret';
const TWILIO = { sid: 'AC00000000000000000000000000000two', token: 'two-twilio-token' };
const PUBLIC_URL = 'http://localhost:3999';

describe.skipIf(postgresSkipped)('reliability: two instances on one PostgreSQL', () => {
  let testDb: TestDatabase;
  let bot: FakeBotApi;
  let twilio: FakeTwilio;
  let a: CentraleProcess;
  let b: CentraleProcess;
  let database: Database;

  beforeAll(async () => {
    [testDb, bot, twilio] = await Promise.all([createEmptyTestDatabase(), startFakeBotApi(TOKEN), startFakeTwilio()]);
    const env = (port: number): Record<string, string> => ({
      PORT: String(port),
      // Both behind one public address (a load balancer): signatures are computed on it.
      PUBLIC_URL,
      DATABASE_URL: testDb.url!,
      SESSION_SECRET: 'two-instances-secret-two-instances-secret',
      DEMO_DATA: 'on',
      LOG_LEVEL: 'warn',
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: bot.apiRoot,
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: TWILIO.sid,
      TWILIO_AUTH_TOKEN: TWILIO.token,
      TWILIO_FROM: '+390200000002',
      TWILIO_API_ROOT: twilio.apiRoot,
      OUTBOUND_TELEGRAM_PER_CHAT_MS: '0',
      CHANNEL_WORKER_INTERVAL_SECONDS: '1',
    });
    const [pa, pb] = [await freePort(), await freePort()];
    // The same moment, on an empty database.
    [a, b] = await Promise.all([startCentraleProcess(env(pa), { startTimeoutMs: 150_000 }), startCentraleProcess(env(pb), { startTimeoutMs: 150_000 })]);
    a.url = `http://127.0.0.1:${pa}`;
    b.url = `http://127.0.0.1:${pb}`;
    database = await openDatabase({ kind: 'postgres', url: testDb.url! });
  }, 200_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.close();
    await Promise.all([testDb?.close(), bot?.close(), twilio?.close()]);
  });

  const db = () => database.db;

  it('both start at once on an empty database, with one set of demo data', async () => {
    for (const p of [a, b]) expect((await fetch(`${p.url}/ready`)).status).toBe(200);
    const [c] = await db().select({ n: sql<number>`count(*)::int` }).from(comuni);
    expect(Number(c!.n)).toBe(DEMO_COMUNI.length);
    const users = await db().select({ username: staffUsers.username }).from(staffUsers);
    expect(users.map((u) => u.username).sort()).toEqual(['admin', 'giorgio', 'ilsole', 'marco', 'paola', 'sara']);
  });

  it('shares webhook traffic, each update also sent to the other instance: stored and answered once, none lost', { timeout: 120_000 }, async () => {
    const chats = [930001, 930002, 930003];
    const phones = ['+393339300001', '+393339300002'];
    const tg = chats.flatMap((chat, c) => [0, 1, 2, 3].map((i) => telegramText(400_000 + c * 10 + i, chat, `ciao ${i}`)));
    const sms = phones.flatMap((from, p) => [0, 1, 2, 3].map((i) => ({ From: from, Body: `sms ${i}`, MessageSid: messageSid(500_000 + p * 10 + i) })));
    const statuses: number[] = [];
    const both = async (path: string, init: () => RequestInit, first: CentraleProcess, second: CentraleProcess) => {
      const [r1, r2] = await Promise.all([fetch(`${first.url}${path}`, init()), fetch(`${second.url}${path}`, init())]);
      statuses.push(r1.status, r2.status);
    };
    // One conversation's messages in order, conversations in parallel; the first copy alternates.
    await Promise.all([
      ...chats.map(async (_chat, c) => {
        for (const [i, u] of tg.filter((_u, k) => Math.floor(k / 4) === c).entries()) {
          await both('/telegram/webhook', () => telegramWebhookInit(u, SECRET), i % 2 ? a : b, i % 2 ? b : a);
        }
      }),
      ...phones.map(async (_p, p) => {
        for (const [i, s] of sms.filter((_s, k) => Math.floor(k / 4) === p).entries()) {
          await both('/sms/inbound', () => smsWebhookInit(PUBLIC_URL, TWILIO.token, s), i % 2 ? a : b, i % 2 ? b : a);
        }
      }),
    ]);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const ids = [...tg.map((u) => String(u.update_id)), ...sms.map((s) => s.MessageSid)];
    await waitFor(
      'every update handled',
      async () => {
        const [row] = await db().select({ n: sql<number>`count(*)::int` }).from(channelInbound).where(and(inArray(channelInbound.externalId, ids), sql`${channelInbound.processedAt} is not null`));
        return Number(row!.n) === ids.length;
      },
      60_000,
      250,
    );
    const stored = await db().select({ externalId: messages.externalId, n: sql<number>`count(*)::int` }).from(messages).where(inArray(messages.externalId, ids)).groupBy(messages.externalId);
    expect(stored).toHaveLength(ids.length);
    expect(stored.filter((r) => Number(r.n) !== 1)).toEqual([]);
    await waitFor('every reply sent', async () => {
      const [row] = await db().select({ n: sql<number>`count(*)::int` }).from(outboundMessages).where(sql`${outboundMessages.status} <> 'sent'`);
      return Number(row!.n) === 0;
    }, 60_000, 250);
    await sleep(500); // a second sender would have sent by now
    const rows = await db().select({ channel: outboundMessages.channel, address: outboundMessages.address }).from(outboundMessages);
    for (const chat of chats) expect(bot.sent.filter((s) => s.to === String(chat)).length).toBe(rows.filter((r) => r.channel === 'telegram' && r.address === String(chat)).length);
    for (const phone of phones) expect(twilio.sent.filter((s) => s.to === phone).length).toBe(rows.filter((r) => r.channel === 'sms' && r.address === phone).length);
  });

  it('a web-chat stream on B receives a message stored through A (LISTEN/NOTIFY)', { timeout: 60_000 }, async () => {
    const created = await fetch(`${a.url}/chat/web/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(created.status).toBe(201);
    const { sessionId, token } = (await created.json()) as { sessionId: string; token: string };
    const abort = new AbortController();
    const stream = await fetch(`${b.url}/chat/web/sessions/${sessionId}/events`, { headers: { cookie: `centrale_chat=${token}` }, signal: abort.signal });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let text = '';
    const read = (async () => {
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    })().catch(() => undefined);
    // The stream first replays the welcome; then a message sent through A must arrive on B.
    await waitFor('the welcome on B', () => text.includes('event: message'), 20_000);
    const said = 'messaggio attraverso A';
    const res = await fetch(`${a.url}/chat/web/sessions/${sessionId}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ text: said }) });
    expect(res.status).toBe(200);
    await waitFor('the message on B’s stream', () => text.includes(said), 10_000);
    abort.abort();
    await read;
  });

  it('counts login attempts across both instances', async () => {
    const attempt = (p: CentraleProcess) =>
      fetch(`${p.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'giorgio', password: 'wrong-password-123' }) });
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMIT.perUsername + 1; i++) statuses.push((await attempt(i % 2 ? a : b)).status);
    // Alternating between instances: the limit is reached after perUsername attempts in total.
    expect(statuses.slice(0, LOGIN_LIMIT.perUsername).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect((await attempt(a)).status).toBe(429);
    expect((await attempt(b)).status).toBe(429);
  });

  it('with Telegram polling on two instances, only one polls at a time', { timeout: 60_000 }, async () => {
    const poller = await startFakeBotApi('999000:POLL', { holdMs: 300 });
    const i18n = await createI18n();
    const handles = [await openDatabase({ kind: 'postgres', url: testDb.url! }), await openDatabase({ kind: 'postgres', url: testDb.url! })];
    const channels: TelegramChannel[] = handles.map((h) =>
      createTelegramChannel({ enabled: true, token: '999000:POLL', apiRoot: poller.apiRoot, mode: 'polling' }, { database: h, i18n, now: () => new Date(), logger: createLogger('silent'), publicUrl: PUBLIC_URL }, { pollTimeoutSeconds: 1 }),
    );
    try {
      await Promise.all(channels.map((c) => c.start()));
      poller.pushUpdate(telegramText(600_001, 940001, 'buongiorno'));
      await waitFor('polls going on', () => poller.getUpdatesCalls >= 4, 30_000);
      await sleep(1000);
      expect(channels.filter((c) => c.polling)).toHaveLength(1);
      expect(poller.maxConcurrentPolls).toBe(1);
      await waitFor('the polled update handled once', async () => {
        const rows = await db().select({ at: channelInbound.processedAt }).from(channelInbound).where(eq(channelInbound.externalId, '600001'));
        return rows.length === 1 && rows[0]!.at !== null;
      }, 20_000);
    } finally {
      await Promise.all(channels.map((c) => c.stop()));
      await Promise.all(handles.map((h) => h.close()));
      await poller.close();
    }
  });
});
