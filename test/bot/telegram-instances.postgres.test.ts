/**
 * Several instances hear every Telegram NOTIFY, yet each takes at once only the updates it stored
 * itself: a turn is run by one instance, not by all of them with all but one write refused. An
 * update whose instance does not handle it is taken by another one after `foreignDelayMs`.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramChannel, type TelegramChannel } from '../../bot/telegram.ts';
import { storeInbound } from '../../db/channel-inbox.ts';
import { openDatabase, type Database } from '../../db/client.ts';
import { channelInbound } from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { createLogger } from '../../logger.ts';
import { sleep, startFakeBotApi, telegramText, waitFor, type FakeBotApi } from '../helpers/reliability.ts';
import { createTestDatabase, postgresSkipped, type TestDatabase } from '../helpers/test-db.ts';

const TOKEN = '777000:INSTANCES';

describe.skipIf(postgresSkipped)('Telegram updates across instances', () => {
  let t: TestDatabase;
  let fake: FakeBotApi;
  // Two instances' database handles: `mine` runs the channel under test, `other` only stores.
  let mine: Database;
  let other: Database;
  beforeAll(async () => {
    [t, fake] = await Promise.all([createTestDatabase({ demoData: false }), startFakeBotApi(TOKEN)]);
    [mine, other] = await Promise.all([openDatabase({ kind: 'postgres', url: t.url! }), openDatabase({ kind: 'postgres', url: t.url! })]);
  });
  afterAll(async () => {
    await Promise.all([mine?.close(), other?.close()]);
    await fake?.close();
    await t?.close();
  });

  const channelOn = async (foreignDelayMs: number): Promise<TelegramChannel> => {
    const i18n = await createI18n();
    const channel = createTelegramChannel(
      { enabled: true, token: TOKEN, apiRoot: fake.apiRoot, mode: 'webhook', webhookSecret: 'instances-secret' },
      { database: mine, i18n, now: () => new Date(), logger: createLogger('silent'), publicUrl: 'http://localhost:3998' },
      // No sweep during the test: only NOTIFYs can wake the channel.
      { foreignDelayMs, sweepMs: 600_000, typingAfterMs: 0 },
    );
    await channel.start();
    return channel;
  };
  const store = (db: Database, updateId: number, chatId: number) =>
    storeInbound(db.db, { channel: 'telegram', externalId: String(updateId), payload: telegramText(updateId, chatId, 'buongiorno') });
  const row = async (id: number) => (await t.database.db.select().from(channelInbound).where(eq(channelInbound.id, id)))[0]!;

  it("takes its own updates at once and leaves another instance's to it", async () => {
    // A delay far beyond the wait below: what gets handled here was taken as this instance's own.
    const channel = await channelOn(600_000);
    try {
      const own = await store(mine, 710_001, 971_001);
      await waitFor('its own update handled', async () => (await row(own.id)).processedAt !== null, 20_000);
      const foreign = await store(other, 710_002, 971_002);
      const ownAgain = await store(mine, 710_003, 971_003);
      await waitFor('a later update of its own handled', async () => (await row(ownAgain.id)).processedAt !== null, 20_000);
      await sleep(300);
      expect((await row(foreign.id)).processedAt).toBeNull();
    } finally {
      await channel.stop();
    }
  });

  it("takes another instance's update once it has waited foreignDelayMs for it", async () => {
    const delayMs = 800;
    const channel = await channelOn(delayMs);
    try {
      const foreign = await store(other, 720_001, 972_001);
      await waitFor('the foreign update handled', async () => (await row(foreign.id)).processedAt !== null, 20_000);
      const handled = await row(foreign.id);
      // Both instants are the database's own clock.
      expect(handled.processedAt!.getTime() - handled.receivedAt.getTime()).toBeGreaterThanOrEqual(delayMs - 50);
    } finally {
      await channel.stop();
    }
  });
});
