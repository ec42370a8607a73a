/**
 * A batch of Telegram turns that hangs (here: its write waits on a conversation row another
 * connection holds locked) must not hold back the chats that are not in it. After `batchWaitMs`
 * the next releases go on; the hung batch's chats wait for it and are handled, once, when it
 * finishes. PostgreSQL only: PGlite has a single connection, so nothing can hold a lock beside it.
 */
import { eq, inArray } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../bot/telegram.ts';
import { INBOX_CHANNEL, instanceTagOf, storeInbound } from '../../db/channel-inbox.ts';
import { storeManySql } from '../../db/inbound-store.ts';
import { preparedRunner } from '../../db/prepared.ts';
import { channelIdentities, channelInbound, conversations, messages } from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { createLogger } from '../../logger.ts';
import { sleep, startFakeBotApi, telegramText, waitFor, type FakeBotApi } from '../helpers/reliability.ts';
import { createTestDatabase, postgresSkipped, type TestDatabase } from '../helpers/test-db.ts';

const TOKEN = '777001:HUNG-BATCH';

describe.skipIf(postgresSkipped)('a hung Telegram batch', () => {
  let t: TestDatabase;
  let fake: FakeBotApi;
  beforeAll(async () => {
    [t, fake] = await Promise.all([createTestDatabase({ demoData: false }), startFakeBotApi(TOKEN)]);
  });
  afterAll(async () => {
    await fake?.close();
    await t?.close();
  });

  const db = () => t.database.db;
  const store = (updateId: number, chatId: number) =>
    storeInbound(db(), { channel: 'telegram', externalId: String(updateId), payload: telegramText(updateId, chatId, 'buongiorno') });
  /** Updates stored in one statement, so that their NOTIFYs come together (and so one release). */
  const storeTogether = async (...updates: [updateId: number, chatId: number][]) => {
    const json = JSON.stringify(updates.map(([updateId, chatId], i) => ({ i, channel: 'telegram', external_id: String(updateId), payload: telegramText(updateId, chatId, 'buongiorno') })));
    const rows = await preparedRunner(db())<{ new_id: string }>(storeManySql(INBOX_CHANNEL), [json, instanceTagOf(db())]);
    return rows.map((r) => Number(r.new_id));
  };
  const handled = async (id: number) => (await db().select({ at: channelInbound.processedAt }).from(channelInbound).where(eq(channelInbound.id, id)))[0]?.at != null;

  it('holds back only its own chats, and they are handled once when it finishes', async () => {
    const logs: string[] = [];
    const channel = createTelegramChannel(
      { enabled: true, token: TOKEN, apiRoot: fake.apiRoot, mode: 'webhook', webhookSecret: 'hung-secret' },
      { database: t.database, i18n: await createI18n(), now: () => new Date(), logger: createLogger('warn', { write: (line: string) => logs.push(line) }), publicUrl: 'http://localhost:3997' },
      // No sweep: only NOTIFY-driven releases can handle anything during the test.
      { batchWaitMs: 400, sweepMs: 600_000, typingAfterMs: 0 },
    );
    await channel.start();
    const locker = postgres(t.url!, { max: 1, onnotice: () => {} });
    let unlock = () => {};
    try {
      // Chat A has a conversation; another connection then holds its row.
      const first = await store(730_001, 973_001);
      await waitFor('the first update of chat A handled', () => handled(first.id));
      const [identity] = await db().select({ id: channelIdentities.id }).from(channelIdentities).where(eq(channelIdentities.address, '973001'));
      const [conversation] = await db().select({ id: conversations.id }).from(conversations).where(eq(conversations.identityId, identity!.id));
      const locked = new Promise<void>((resolveLocked) => {
        void locker.begin(async (tx) => {
          await tx`select id from conversations where id = ${conversation!.id} for update`;
          resolveLocked();
          await new Promise<void>((release) => (unlock = release));
        });
      });
      await locked;

      // A and B arrive together: one batch, whose write waits on A's row.
      const [a2 = 0, b = 0] = await storeTogether([730_002, 973_001], [730_003, 973_002]);
      await sleep(300);
      // C arrives while that batch still waits: it is handled although the lock is still held.
      const c = await store(730_004, 973_003);
      await waitFor('chat C handled while the batch of A and B is still waiting', () => handled(c.id), 10_000);
      expect(await handled(a2)).toBe(false);
      expect(await handled(b)).toBe(false);
      expect(logs.some((line) => line.includes('telegram batch still running'))).toBe(true);

      unlock();
      await waitFor('A and B handled once the lock is gone', async () => (await handled(a2)) && (await handled(b)), 20_000);
      const stored = await db()
        .select({ externalId: messages.externalId })
        .from(messages)
        .where(inArray(messages.externalId, ['730002', '730003', '730004']));
      expect(stored.map((m) => m.externalId).sort()).toEqual(['730002', '730003', '730004']);
    } finally {
      unlock();
      await channel.stop();
      await locker.end();
    }
  });
});
