/**
 * Retention of raw provider updates (db/inbound-retention.ts): handled rows go once they are older
 * than the retention, unhandled and failing ones stay whatever their age, a backlog goes in
 * batches, and a provider's redelivery after the deletion still makes no second turn. Runs on
 * PGlite and on PostgreSQL, through the real SMS webhook.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deleteHandledInbound } from '../../db/inbound-retention.ts';
import { channelInbound, messages, outboundMessages } from '../../db/schema.ts';
import { smsWebhookInit } from '../helpers/reliability.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const PUBLIC_URL = 'http://localhost:3000';
const SMS_TOKEN = 'retention-twilio-token';
const NOW = new Date('2026-11-23T09:00:00Z');
const DAY = 24 * 3600_000;

let t: TestApp;
const db = () => t.db.database.db;
let n = 0;

beforeAll(async () => {
  t = await createTestApp({ demoData: false, env: { PUBLIC_URL, SMS_PROVIDER: 'log', TWILIO_AUTH_TOKEN: SMS_TOKEN } });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await db().delete(channelInbound);
});

/** A raw row as the store leaves it, then aged: handled `handledDaysAgo` days ago, or not (null). */
async function raw(handledDaysAgo: number | null, attempts = 0): Promise<number> {
  const [row] = await db()
    .insert(channelInbound)
    .values({
      channel: 'telegram',
      externalId: String(++n),
      payload: { update_id: n },
      receivedAt: new Date(NOW.getTime() - ((handledDaysAgo ?? 30) + 0.01) * DAY),
      processedAt: handledDaysAgo === null ? null : new Date(NOW.getTime() - handledDaysAgo * DAY),
      attempts,
    })
    .returning({ id: channelInbound.id });
  return row!.id;
}
const remaining = async () => (await db().select({ id: channelInbound.id }).from(channelInbound).orderBy(channelInbound.id)).map((r) => r.id);

describe('deleteHandledInbound', () => {
  it('deletes handled rows older than the retention and keeps recent, unhandled and failing ones', async () => {
    await raw(8);
    await raw(7.001);
    const unhandled = await raw(null);
    const failing = await raw(null, 3);
    const recent = await raw(6.9);
    const today = await raw(0);
    expect(await deleteHandledInbound(db(), NOW, 7)).toBe(2);
    expect(await remaining()).toEqual([unhandled, failing, recent, today]);
    // A second pass finds nothing more.
    expect(await deleteHandledInbound(db(), NOW, 7)).toBe(0);
  });

  it('works through a backlog in batches, at most maxBatches per call, and then stops', async () => {
    const kept = await raw(null);
    for (let i = 0; i < 5; i++) await raw(10 + i);
    const recent = await raw(1);
    expect(await deleteHandledInbound(db(), NOW, 7, { batch: 2, maxBatches: 1 })).toBe(2);
    expect(await deleteHandledInbound(db(), NOW, 7, { batch: 2, maxBatches: 10 })).toBe(3);
    expect(await remaining()).toEqual([kept, recent]);
  });

  it('a redelivery after the deletion is stored again but makes no second turn', async () => {
    const from = '+393471234567';
    const sid = `SM${'7'.repeat(32)}`;
    const send = () => t.request('/sms/inbound', smsWebhookInit(PUBLIC_URL, SMS_TOKEN, { From: from, Body: 'buongiorno', MessageSid: sid }));
    expect((await send()).status).toBe(200);
    const inbound = () => db().select({ id: messages.id }).from(messages).where(and(eq(messages.externalId, sid), eq(messages.direction, 'in')));
    const queued = async () => (await db().select({ id: outboundMessages.id }).from(outboundMessages).where(eq(outboundMessages.address, from))).length;
    expect(await inbound()).toHaveLength(1);
    const replies = await queued();
    expect(replies).toBeGreaterThan(0);

    await db().execute(sql`update channel_inbound set processed_at = processed_at - interval '8 days'`);
    expect(await deleteHandledInbound(db(), new Date(), 7)).toBe(1);
    expect(await remaining()).toEqual([]);

    expect((await send()).status).toBe(200);
    expect(await remaining()).toHaveLength(1);
    expect(await inbound()).toHaveLength(1);
    expect(await queued()).toBe(replies);
  });
});
