/**
 * Telegram end to end against a fake Bot API on 127.0.0.1: the web-chat flow scenarios replayed
 * through the webhook (buttons pressed as callback queries), the real `start()` of main.ts in
 * webhook mode (setWebhook with PUBLIC_URL and the secret; an update posted over HTTP is answered
 * with no sweep in between), and polling with two instances on one database: one polls at a time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel, POLLING_LEASE, type TelegramChannel } from '../../bot/telegram.ts';
import { loadConfig } from '../../config.ts';
import { createOutboundWorker, type OutboundWorker } from '../../db/outbound.ts';
import { channelIdentities, channelInbound, channelLeases, conversations } from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { createLogger } from '../../logger.ts';
import { start, type Running } from '../../main.ts';
import { createCaseFixtures, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { testDbKind } from '../helpers/test-db.ts';
import { SCENARIOS, type ChannelUser, type ScenarioEnv } from './channel-scenarios.ts';

// Sent as fast as the test goes: at the providers' pace (30 Telegram messages a second, 10 SMS)
// a quick run would leave a reply waiting for the next second, and the test would read none.
const UNPACED = { perChatIntervalMs: 0, perSecond: { telegram: 1_000_000, sms: 1_000_000 } };

const TOKEN = '654321:FLOWS-token';
const SECRET = 'flows-webhook-secret';
let t: TestApp;
let f: CaseFixtures;
let fake: FakeTelegram;
let channel: TelegramChannel;
let worker: OutboundWorker;
let sara: string;
let clock: Date | undefined;
let updateId = 50_000;
let chatSeq = 910_000;

beforeAll(async () => {
  fake = await startFakeTelegram(TOKEN);
  t = await createTestApp({ env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.apiRoot } });
  f = await createCaseFixtures(t.db.database.db);
  const now = () => clock ?? new Date();
  const ctx = { database: t.db.database, i18n: await createI18n(), now, logger: createLogger('silent'), publicUrl: 'http://localhost:3000' };
  // Handling only (no start()): the test drives the store → handle → send steps itself.
  channel = createTelegramChannel({ enabled: true, token: TOKEN, apiRoot: fake.apiRoot, mode: 'webhook', webhookSecret: SECRET }, ctx);
  worker = createOutboundWorker(t.db.database, [channel.sender], { now: () => new Date() }, UNPACED);
  sara = await t.login('sara');
});
afterAll(async () => {
  await channel?.stop();
  await t?.close();
  await fake?.close();
});

const db = () => t.db.database.db;

async function flush(): Promise<void> {
  for (let i = 0; i < 20 && (await worker.tick()) > 0; i++);
}

function webhook(update: Record<string, unknown>) {
  return t.request('/telegram/webhook', { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(update) });
}

/** A Telegram chat writing through the webhook; replies are the fake Bot API's sendMessage calls. */
function telegramUser(chatId = ++chatSeq): ChannelUser {
  let buttons: { text: string; callback_data: string }[] = [];
  const chat = { id: chatId, type: 'private' };
  const from = { id: chatId, is_bot: false, first_name: 'Test', language_code: 'it' };
  const turn = async (update: Record<string, unknown>): Promise<string> => {
    const before = fake.sent(chatId).length;
    expect((await webhook({ update_id: ++updateId, ...update })).status).toBe(200);
    await channel.sweep(0);
    await flush();
    const calls = fake.sent(chatId).slice(before);
    const withKeyboard = [...calls].reverse().find((c) => c.payload.reply_markup);
    if (withKeyboard) buttons = (withKeyboard.payload.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat();
    return calls.map((c) => String(c.payload.text)).join('\n');
  };
  const text = (body: string) => turn({ message: { message_id: updateId, date: 0, chat, from, text: body } });
  return {
    channel: 'telegram',
    address: String(chatId),
    say: text,
    link: (code) => text(`/start ${code.replace('-', '')}`),
    async choose(label) {
      const button = buttons.find((b) => label.test(b.text));
      if (!button) throw new Error(`no button ${label} among ${buttons.map((b) => b.text).join(' | ')}`);
      return turn({ callback_query: { id: `cb${updateId}`, data: button.callback_data, from, message: { message_id: 1, date: 0, chat } } });
    },
    async conversation() {
      const [row] = await db()
        .select({ c: conversations })
        .from(conversations)
        .innerJoin(channelIdentities, eq(channelIdentities.id, conversations.identityId))
        .where(and(eq(channelIdentities.channel, 'telegram'), eq(channelIdentities.address, String(chatId))))
        .orderBy(desc(conversations.createdAt))
        .limit(1);
      return row!.c;
    },
  };
}

describe('the web-chat scenarios on Telegram', () => {
  const env = (): ScenarioEnv => ({
    t,
    f,
    staffCookie: sara,
    newUser: async () => telegramUser(),
    setNow: (now) => {
      clock = now;
      t.setNow(now);
    },
  });
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    await scenario.run(env());
  });

  it('a redelivered callback query (same update_id) chooses only once', async () => {
    const user = telegramUser();
    await user.say('ciao');
    const before = fake.sent(user.address).length;
    const update = { update_id: ++updateId, callback_query: { id: 'cb-dup', data: 'not-an-option', from: { id: Number(user.address) }, message: { message_id: 1, date: 0, chat: { id: Number(user.address), type: 'private' } } } };
    for (let i = 0; i < 3; i++) expect((await webhook(update)).status).toBe(200);
    await channel.sweep(0);
    await flush();
    const added = fake.sent(user.address).length - before;
    expect(added).toBeGreaterThan(0);
    expect(await webhook(update).then((r) => r.status)).toBe(200);
    await channel.sweep(0);
    await flush();
    expect(fake.sent(user.address).length - before).toBe(added);
    expect(await db().select().from(channelInbound).where(and(eq(channelInbound.channel, 'telegram'), eq(channelInbound.externalId, String(update.update_id))))).toHaveLength(1);
  });
});

describe('webhook mode', () => {
  it('start() registers PUBLIC_URL + /telegram/webhook with the secret and never polls', async () => {
    const ctx = { database: t.db.database, i18n: await createI18n(), now: () => new Date(), logger: createLogger('silent'), publicUrl: 'https://hook.example.it' };
    const hooked = createTelegramChannel({ enabled: true, token: TOKEN, apiRoot: fake.apiRoot, mode: 'webhook', webhookSecret: SECRET }, ctx, { sweepMs: 60_000 });
    const polls = fake.calls.filter((c) => c.method === 'getUpdates').length;
    try {
      await hooked.start();
      const calls = fake.calls.filter((c) => c.method === 'setWebhook' && c.payload.url === 'https://hook.example.it/telegram/webhook');
      expect(calls).toHaveLength(1);
      expect(calls[0]!.payload).toMatchObject({ secret_token: SECRET, allowed_updates: ['message', 'callback_query'] });
      // The menu button lists /menu and /help, in Italian by default and in English for English clients.
      const commands = fake.calls.filter((c) => c.method === 'setMyCommands').slice(-2).map((c) => c.payload);
      expect(commands).toEqual([
        { commands: [{ command: 'menu', description: 'Torna al menu' }, { command: 'help', description: 'Che cosa posso fare per Lei' }] },
        { commands: [{ command: 'menu', description: 'Back to the menu' }, { command: 'help', description: 'What I can do for you' }], language_code: 'en' },
      ]);
      await new Promise((r) => setTimeout(r, 100));
      expect(hooked.polling).toBe(false);
      expect(fake.calls.filter((c) => c.method === 'getUpdates').length).toBe(polls);
    } finally {
      await hooked.stop();
    }
  });
});

// The whole process (main.ts start()) needs a database of its own: on PGlite a second instance
// costs ~20 s, so this proof runs on PostgreSQL, against the test's own database.
describe.skipIf(testDbKind !== 'postgres')('the real start() of main.ts in webhook mode', () => {
  let running: Running | undefined;
  let dataDir: string;
  afterAll(async () => {
    await running?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers PUBLIC_URL + /telegram/webhook with the secret, and answers a posted update by itself', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'centrale-tg-'));
    const config = loadConfig({
      DATABASE_URL: t.db.url ?? 'memory://',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      PUBLIC_URL: 'https://centrale.example.it',
      SESSION_SECRET: 'flows-session-secret-flows-session-secret',
      CENTRALE_ADMIN_PASSWORD: 'flows-admin-password',
      DEMO_DATA: '0',
      LOG_LEVEL: 'silent',
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: fake.apiRoot,
    });
    const getUpdatesBefore = fake.calls.filter((c) => c.method === 'getUpdates').length;
    running = await start(config, createLogger('silent'));
    const setWebhook = fake.calls.filter((c) => c.method === 'setWebhook');
    expect(setWebhook.filter((c) => c.payload.url === 'https://centrale.example.it/telegram/webhook')).toHaveLength(1);
    expect(setWebhook.at(-1)!.payload).toMatchObject({ url: 'https://centrale.example.it/telegram/webhook', secret_token: SECRET });

    const address = running.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const chatId = ++chatSeq;
    const post = (secret: string) =>
      fetch(`${base}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body: JSON.stringify({ update_id: ++updateId, message: { message_id: 1, date: 0, chat: { id: chatId, type: 'private' }, from: { id: chatId }, text: 'buongiorno' } }),
      });
    expect((await post('wrong')).status).toBe(401);
    expect((await post(SECRET)).status).toBe(200);
    // NOTIFY wakes the handler and the queue worker: no sweep, no manual tick.
    for (let i = 0; i < 100 && fake.sent(chatId).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(fake.sent(chatId).length).toBeGreaterThan(0);
    expect(fake.calls.filter((c) => c.method === 'getUpdates').length).toBe(getUpdatesBefore);
  });
});

describe('polling with two instances on one database', () => {
  it('only the lease holder polls; when it stops, the other takes over', async () => {
    const ctx = { database: t.db.database, i18n: await createI18n(), now: () => new Date(), logger: createLogger('silent'), publicUrl: 'http://localhost:3000' };
    const options = { pollTimeoutSeconds: 0, leaseMs: 600, sweepMs: 60_000 };
    const config = { enabled: true as const, token: TOKEN, apiRoot: fake.apiRoot, mode: 'polling' as const };
    const a = createTelegramChannel(config, ctx, options);
    const b = createTelegramChannel(config, ctx, options);
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 30));
      return check();
    };
    try {
      await a.start();
      await b.start();
      expect(await until(() => a.polling || b.polling)).toBe(true);
      // Watch for a while: never both.
      for (let i = 0; i < 10; i++) {
        expect(a.polling && b.polling).toBe(false);
        await new Promise((r) => setTimeout(r, 40));
      }
      const [first, second] = a.polling ? [a, b] : [b, a];
      const [lease] = await db().select().from(channelLeases).where(eq(channelLeases.name, POLLING_LEASE));
      expect(lease).toBeDefined();
      await first.stop();
      expect(await until(() => second.polling)).toBe(true);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
