/**
 * The outbound queue's claim (db/outbound.ts claimOutbound): only an address's oldest pending
 * message may go, a message waiting for its retry holds back the ones behind it, Telegram keeps
 * one second between two messages to a chat, an expired lease is taken again, two claimers never
 * take the same message, a chat holding the oldest messages holds back no other, and a long sent
 * history or a burst with stale statistics changes none of this. Runs on PGlite and on PostgreSQL.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { claimOutbound, DEFAULT_OUTBOUND_OPTIONS, enqueueOutbound } from '../../db/outbound.ts';
import { outboundMessages } from '../../db/schema.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';

let t: TestDatabase;
const db = (): Db => t.database.db;
const now = new Date('2099-05-04T08:00:00Z');
const options = DEFAULT_OUTBOUND_OPTIONS;
let seq = 0;

beforeAll(async () => {
  t = await createTestDatabase({ demoData: false });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await db().delete(outboundMessages);
});

async function queue(channel: 'telegram' | 'sms', address: string, fields: Partial<typeof outboundMessages.$inferInsert> = {}): Promise<number> {
  const { id } = await enqueueOutbound(db(), { channel, address, body: `messaggio ${++seq}`, dedupeKey: `claim-test:${seq}` });
  if (Object.keys(fields).length > 0) await db().update(outboundMessages).set(fields).where(eq(outboundMessages.id, id!));
  return id!;
}
const claimed = async (channels: ('telegram' | 'sms')[] = ['telegram', 'sms'], limit = 50) =>
  (await claimOutbound(db(), channels, now, options, limit)).map((item) => item.id);

describe('claimOutbound', () => {
  it("takes a message queued within the claim's own millisecond (the database keeps microseconds)", async () => {
    const id = await queue('sms', '+393400000001');
    // Queued 0.6 ms after the claim's `now`, as the database's now() can be when the worker wakes at once.
    await db().execute(sql`update outbound_messages set next_attempt_at = ${now.toISOString()}::timestamptz + interval '600 microseconds' where id = ${id}`);
    expect(await claimed(['sms'])).toEqual([id]);
  });

  it('takes only the oldest pending message of each address, oldest first', async () => {
    const a1 = await queue('telegram', '100');
    const a2 = await queue('telegram', '100');
    const b1 = await queue('sms', '+393470000001');
    const c1 = await queue('telegram', '200');
    await queue('sms', '+393470000001');
    expect(await claimed()).toEqual([a1, b1, c1]);
    // The claimed ones are now `sending`, under a lease: they still hold their addresses back.
    expect(await claimed()).toEqual([]);
    const statuses = await db().select({ id: outboundMessages.id, status: outboundMessages.status }).from(outboundMessages).where(inArray(outboundMessages.id, [a1, a2]));
    expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toEqual({ [a1]: 'sending', [a2]: 'queued' });
  });

  it('keeps the next message of an address behind one that waits for its retry', async () => {
    await queue('sms', '+393470000002', { nextAttemptAt: new Date(now.getTime() + 60_000), attempts: 1 });
    await queue('sms', '+393470000002');
    const other = await queue('sms', '+393470000003');
    expect(await claimed()).toEqual([other]);
  });

  it('waits a second after a message sent to the same Telegram chat, not for SMS', async () => {
    await queue('telegram', '300', { status: 'sent', sentAt: new Date(now.getTime() - 500) });
    await queue('telegram', '300');
    await queue('telegram', '301', { status: 'sent', sentAt: new Date(now.getTime() - 1500) });
    const later = await queue('telegram', '301');
    await queue('sms', '+393470000004', { status: 'sent', sentAt: new Date(now.getTime() - 500) });
    const sms = await queue('sms', '+393470000004');
    expect(await claimed()).toEqual([later, sms]);
  });

  it('takes a message again once its lease has expired', async () => {
    const stuck = await queue('telegram', '400', { status: 'sending', lockedUntil: new Date(now.getTime() - 1), attempts: 1 });
    await queue('telegram', '400');
    await queue('telegram', '401', { status: 'sending', lockedUntil: new Date(now.getTime() + 60_000), attempts: 1 });
    await queue('telegram', '401');
    const [item, ...rest] = await claimOutbound(db(), ['telegram'], now, options, 50);
    expect(item?.id).toBe(stuck);
    expect(item?.attempts).toBe(2);
    expect(rest).toEqual([]);
  });

  it('respects the limit and the channels asked for', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await queue('telegram', String(500 + i)));
    await queue('sms', '+393470000005');
    expect(await claimed(['telegram'], 3)).toEqual(ids.slice(0, 3));
    expect(await claimed(['telegram'], 3)).toEqual(ids.slice(3));
  });

  it('never gives the same message to two claimers at once', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) ids.push(await queue('telegram', String(600 + (i % 20))));
    const [first, second] = await Promise.all([claimed(['telegram'], 15), claimed(['telegram'], 15)]);
    const all = [...first!, ...second!];
    expect(new Set(all).size).toBe(all.length);
    // Only the 20 heads can go, and every one of them is taken by one claimer or the other
    // (skip locked lets the second pass over what the first holds).
    expect(all.every((id) => ids.indexOf(id) < 20)).toBe(true);
    expect(all.length).toBeGreaterThanOrEqual(15);
  });

  it('stays correct over a long sent history and a burst the statistics have not seen', async () => {
    await db().execute(sql`analyze outbound_messages`);
    // A year of history for 50 chats, then a burst of 300 queued messages, without ANALYZE.
    await db().execute(sql`
      insert into outbound_messages (channel, address, body, locale, purpose, dedupe_key, status, sent_at)
      select 'telegram', (700 + g % 50)::text, 'x', 'it', 'reply', 'history:' || g, 'sent', now() - interval '1 day'
        from generate_series(1, 5000) g`);
    await db().execute(sql`
      insert into outbound_messages (channel, address, body, locale, purpose, dedupe_key)
      select 'telegram', (700 + g % 50)::text, 'x', 'it', 'reply', 'burst:' || g from generate_series(1, 300) g`);
    const heads = (await db().select({ id: outboundMessages.id, address: outboundMessages.address }).from(outboundMessages).where(eq(outboundMessages.status, 'queued')))
      .sort((a, b) => a.id - b.id)
      .filter((row, i, all) => all.findIndex((r) => r.address === row.address) === i)
      .map((r) => r.id);
    expect(heads).toHaveLength(50);
    expect(await claimed(['telegram'], 30)).toEqual(heads.slice(0, 30));
  });

  it('looks past the oldest messages when they all belong to chats that must wait', async () => {
    // A chat with 300 replies queued, which Telegram takes one a second; another chat's reply behind them.
    await queue('telegram', '800', { status: 'sent', sentAt: new Date(now.getTime() - 200) });
    await db().execute(sql`
      insert into outbound_messages (channel, address, body, locale, purpose, dedupe_key)
      select 'telegram', '800', 'x', 'it', 'reply', 'busy-chat:' || g from generate_series(1, 300) g`);
    const other = await queue('telegram', '801');
    expect(await claimed(['telegram'], 10)).toEqual([other]);
  });
});
