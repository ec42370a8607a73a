/**
 * Group commit of raw inbound updates (db/inbound-store.ts): concurrent stores share statements,
 * yet each caller learns exactly what happened to its own update — new, a redelivery of a row
 * stored before, or a copy of another update in the same group — every new row is announced
 * once, and one update that cannot be stored costs the others nothing.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOX_CHANNEL, instanceTagOf, storeInbound } from '../../db/channel-inbox.ts';
import { channelInbound } from '../../db/schema.ts';
import { createTestDatabase, postgresSkipped, type TestDatabase } from '../helpers/test-db.ts';

describe.skipIf(postgresSkipped)('storing inbound updates in groups', () => {
  let t: TestDatabase;
  const announced: string[] = [];
  let unlisten: () => Promise<void>;
  beforeAll(async () => {
    t = await createTestDatabase({ demoData: false });
    unlisten = await t.database.listen(INBOX_CHANNEL, (payload) => announced.push(payload));
  });
  afterAll(async () => {
    await unlisten?.();
    await t?.close();
  });
  const db = () => t.database.db;
  const update = (id: number) => ({ update_id: id, message: { message_id: id, date: 0, chat: { id: 7, type: 'private' }, text: `m${id}` } });
  const settle = async () => {
    for (let i = 0; i < 50 && announced.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
  };

  it('answers each concurrent caller for its own update: new, stored before, or a copy in the same group', async () => {
    const before = await storeInbound(db(), { channel: 'telegram', externalId: '900001', payload: update(900001) });
    expect(before).toMatchObject({ duplicate: false, processed: false });
    await settle();
    announced.length = 0;

    const ids = [900001, 900002, 900003, 900002, 900004, 900005, 900003, 900006];
    const results = await Promise.all(ids.map((id) => storeInbound(db(), { channel: 'telegram', externalId: String(id), payload: update(id) })));

    expect(results[0]).toEqual({ id: before.id, duplicate: true, processed: false });
    // Each key has one row; every caller with that key got that row's id.
    const rows = await db().select({ id: channelInbound.id, externalId: channelInbound.externalId }).from(channelInbound).where(eq(channelInbound.channel, 'telegram'));
    const rowOf = new Map(rows.map((r) => [r.externalId, r.id]));
    expect(rows.filter((r) => Number(r.externalId) >= 900001 && Number(r.externalId) <= 900006)).toHaveLength(6);
    ids.forEach((id, i) => expect(results[i]!.id).toBe(rowOf.get(String(id))));
    // Exactly one caller per new key was told "stored"; the others "duplicate".
    const fresh = results.filter((r) => !r.duplicate).map((r) => r.id).sort();
    expect(fresh).toEqual([900002, 900003, 900004, 900005, 900006].map((id) => rowOf.get(String(id))!).sort());
    // New rows are announced once each, naming the instance that stored them; the redelivery is not announced again.
    await settle();
    expect([...announced].sort()).toEqual(fresh.map((id) => `telegram:${id}:${instanceTagOf(db())}`).sort());
    expect(instanceTagOf(db())).toMatch(/^[0-9a-f]{8}$/);
  });

  it('a redelivery of a handled update says so', async () => {
    const first = await storeInbound(db(), { channel: 'sms', externalId: 'SM-group-1', payload: { Body: 'ciao' } });
    await db().update(channelInbound).set({ processedAt: new Date() }).where(eq(channelInbound.id, first.id));
    const again = await Promise.all([1, 2].map(() => storeInbound(db(), { channel: 'sms', externalId: 'SM-group-1', payload: { Body: 'ciao' } })));
    for (const r of again) expect(r).toEqual({ id: first.id, duplicate: true, processed: true });
  });

  it('one update that cannot be stored fails alone; the others in its group are stored', async () => {
    // A NUL character cannot be stored in jsonb (the webhook routes replace it before storing).
    const inputs = [
      { channel: 'telegram' as const, externalId: '900101', payload: update(900101) },
      { channel: 'telegram' as const, externalId: '900102', payload: { update_id: 900102, text: 'a\u0000b' } },
      { channel: 'telegram' as const, externalId: '900103', payload: update(900103) },
    ];
    const settled = await Promise.allSettled(inputs.map((input) => storeInbound(db(), input)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const stored = await db().select({ externalId: channelInbound.externalId }).from(channelInbound).where(eq(channelInbound.channel, 'telegram'));
    const keys = new Set(stored.map((r) => r.externalId));
    expect(keys.has('900101') && keys.has('900103')).toBe(true);
    expect(keys.has('900102')).toBe(false);
  });
});
