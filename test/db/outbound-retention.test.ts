/**
 * Retention of the outbound queue (db/outbound-retention.ts): sent, cancelled and re-routed
 * messages go once they are older than the retention; queued, failing and undelivered ones stay
 * whatever their age; a backlog goes in batches; and a deleted reply is never sent again, neither by
 * the sweep that re-queues missing replies nor by a provider's redelivery of the message it answered.
 * Runs on PGlite and on PostgreSQL, through the real SMS webhook.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enqueueMissingOutbound, MISSING_OUTBOUND_LOOKBACK_DAYS } from '../../db/outbound.ts';
import { deleteFinishedOutbound } from '../../db/outbound-retention.ts';
import { outboundMessages, type OutboundStatus } from '../../db/schema.ts';
import { smsWebhookInit } from '../helpers/reliability.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const PUBLIC_URL = 'http://localhost:3000';
const SMS_TOKEN = 'outbound-retention-token';
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
  await db().delete(outboundMessages);
});

/** A queue row last changed `daysAgo` days before NOW, in `status`. */
async function row(status: OutboundStatus, daysAgo: number): Promise<number> {
  const at = new Date(NOW.getTime() - daysAgo * DAY);
  const [r] = await db()
    .insert(outboundMessages)
    .values({ channel: 'sms', address: '+393400000000', body: 'Buongiorno.', status, dedupeKey: `test:${++n}`, createdAt: at, updatedAt: at, sentAt: status === 'sent' ? at : null })
    .returning({ id: outboundMessages.id });
  return r!.id;
}
const remaining = async () => (await db().select({ id: outboundMessages.id }).from(outboundMessages).orderBy(outboundMessages.id)).map((r) => r.id);

describe('deleteFinishedOutbound', () => {
  it('deletes sent, cancelled and re-routed messages older than the retention and keeps the rest', async () => {
    await row('sent', 31);
    await row('cancelled', 40);
    await row('fallback', 30.01);
    const recent = await row('sent', 29.9);
    const queued = await row('queued', 60);
    const sending = await row('sending', 60);
    const failed = await row('failed', 60);
    const undelivered = await row('undelivered', 60);
    expect(await deleteFinishedOutbound(db(), NOW, 30)).toBe(3);
    expect(await remaining()).toEqual([recent, queued, sending, failed, undelivered]);
    expect(await deleteFinishedOutbound(db(), NOW, 30)).toBe(0);
  });

  it('works through a backlog in batches, at most maxBatches per call', async () => {
    const kept = await row('failed', 90);
    for (let i = 0; i < 5; i++) await row('sent', 60 + i);
    const recent = await row('sent', 1);
    expect(await deleteFinishedOutbound(db(), NOW, 30, { batch: 2, maxBatches: 1 })).toBe(2);
    expect(await deleteFinishedOutbound(db(), NOW, 30, { batch: 2, maxBatches: 10 })).toBe(3);
    expect(await remaining()).toEqual([kept, recent]);
  });

  it('never keeps rows for less than the look-back of the sweep that re-queues missing replies', async () => {
    const inside = await row('sent', MISSING_OUTBOUND_LOOKBACK_DAYS + 0.5);
    await row('sent', MISSING_OUTBOUND_LOOKBACK_DAYS + 1.5);
    expect(await deleteFinishedOutbound(db(), NOW, 1)).toBe(1);
    expect(await remaining()).toEqual([inside]);
  });

  it('a deleted reply is not queued again by the sweep nor by a redelivery of the SMS it answered', async () => {
    const from = '+393479876543';
    const send = () => t.request('/sms/inbound', smsWebhookInit(PUBLIC_URL, SMS_TOKEN, { From: from, Body: 'buongiorno', MessageSid: `SM${'8'.repeat(32)}` }));
    expect((await send()).status).toBe(200);
    const queued = async () => (await db().select({ id: outboundMessages.id }).from(outboundMessages).where(eq(outboundMessages.address, from))).length;
    expect(await queued()).toBeGreaterThan(0);

    // The conversation and its queue age by a month; the replies went out long ago.
    await db().execute(sql`update messages set created_at = created_at - interval '31 days'`);
    await db().execute(sql`update outbound_messages set status = 'sent', sent_at = now() - interval '31 days', updated_at = now() - interval '31 days'`);
    expect(await deleteFinishedOutbound(db(), new Date(), 30)).toBeGreaterThan(0);
    expect(await queued()).toBe(0);

    expect(await enqueueMissingOutbound(db(), new Date(Date.now() - MISSING_OUTBOUND_LOOKBACK_DAYS * DAY))).toBe(0);
    expect((await send()).status).toBe(200);
    expect(await queued()).toBe(0);
  });
});
