/**
 * Two first messages from one address handled at the same time (two instances, or a webhook and
 * the sweep) must end in one open conversation, not two: the second must find the first's.
 */
import { and, eq, ne, sql } from 'drizzle-orm';
import type { i18n as I18n } from 'i18next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleChannelInput } from '../../db/channel-inbox.ts';
import { channelIdentities, conversations } from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { createTestDatabase, postgresSkipped, type TestDatabase } from '../helpers/test-db.ts';

describe.skipIf(postgresSkipped)('opening a channel conversation', () => {
  let t: TestDatabase;
  let i18n: I18n;
  beforeAll(async () => {
    t = await createTestDatabase({ demoData: false });
    i18n = await createI18n();
  });
  afterAll(async () => {
    await t?.close();
  });

  const openOf = async (address: string) => {
    const [identity] = await t.database.db.select().from(channelIdentities).where(and(eq(channelIdentities.channel, 'telegram'), eq(channelIdentities.address, address)));
    return t.database.db.select().from(conversations).where(and(eq(conversations.identityId, identity!.id), ne(conversations.handling, 'closed')));
  };
  // Every pooled connection open first, so that the turns really overlap (not queued behind connects).
  const warmPool = () => Promise.all(Array.from({ length: 10 }, () => t.database.db.execute(sql`select pg_sleep(0.05)`)));
  const send = (address: string, n: number) =>
    Array.from({ length: n }, (_, i) =>
      handleChannelInput({ database: t.database, i18n, now: () => new Date() }, { channel: 'telegram', address, locale: 'it', externalId: `${address}:${i}`, event: { kind: 'text', text: 'buongiorno' } }),
    );

  it('concurrent first messages of a known address whose last conversation was closed open exactly one', async () => {
    const address = '7100001';
    const [identity] = await t.database.db.insert(channelIdentities).values({ channel: 'telegram', address }).returning();
    await t.database.db.insert(conversations).values({ channel: 'telegram', identityId: identity!.id, handling: 'closed' });
    await warmPool();
    const turns = await Promise.all(send(address, 8));
    expect(new Set(turns.map((r) => r.conversationId)).size).toBe(1);
    expect(await openOf(address)).toHaveLength(1);
  });

  it('concurrent first messages of a new address open exactly one', async () => {
    await warmPool();
    const turns = await Promise.all(send('7100002', 8));
    expect(new Set(turns.map((r) => r.conversationId)).size).toBe(1);
    expect(await openOf('7100002')).toHaveLength(1);
  });
});
