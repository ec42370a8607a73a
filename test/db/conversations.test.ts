import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { appendInbound, listMessages, openConversation, processPending } from '../../db/conversations.ts';
import { messages } from '../../db/schema.ts';
import { createTestDatabase, postgresSkipped, type TestDatabase } from '../helpers/test-db.ts';

describe.skipIf(postgresSkipped)('conversation store', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ demoData: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores a redelivered message (same external id) once, even when deliveries race', async () => {
    const { conversationId } = await openConversation(t.database.db, { channel: 'telegram', address: 'chat-1', locale: 'it' });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => appendInbound(t.database.db, conversationId, { body: 'ciao', input: { kind: 'text' }, externalId: 'update-1' })),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
    const rows = await t.database.db.select().from(messages).where(and(eq(messages.conversationId, conversationId), eq(messages.externalId, 'update-1')));
    expect(rows).toHaveLength(1);
  });

  it('gives concurrent messages distinct, gap-free sequence numbers and handles them in order', async () => {
    const { conversationId } = await openConversation(t.database.db, { channel: 'sms', address: '+390000000001', locale: 'it' });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => appendInbound(t.database.db, conversationId, { body: `m${i}`, input: { kind: 'text' }, externalId: `sid-${i}` })),
    );
    const seen: number[] = [];
    await processPending(
      t.database.db,
      conversationId,
      (_c, m) => {
        seen.push(m.seq);
        return { state: { handled: m.seq }, replies: [{ body: `re ${m.body}` }], understood: { intent: 'unknown' } };
      },
      new Date(),
    );
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const all = await listMessages(t.database.db, conversationId);
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Nothing is handled twice.
    const again = await processPending(t.database.db, conversationId, () => {
      throw new Error('must not be called');
    }, new Date());
    expect(again).toEqual([]);
  });

  it('leaves a message to be processed again when handling fails', async () => {
    const { conversationId } = await openConversation(t.database.db, { channel: 'web', address: 'w-1', locale: 'it' });
    await appendInbound(t.database.db, conversationId, { body: 'aiuto', input: { kind: 'text' } });
    await expect(
      processPending(t.database.db, conversationId, () => {
        throw new Error('simulated crash');
      }, new Date()),
    ).rejects.toThrow('simulated crash');
    const done = await processPending(t.database.db, conversationId, () => ({ state: {}, replies: [{ body: 'ok' }], understood: { intent: 'unknown' } }), new Date());
    expect(done).toHaveLength(1);
    expect((await listMessages(t.database.db, conversationId)).map((m) => m.body)).toEqual(['aiuto', 'ok']);
  });

  it('reuses the identity and open conversation of a known address', async () => {
    const a = await openConversation(t.database.db, { channel: 'telegram', address: 'chat-9', locale: 'it' });
    const b = await openConversation(t.database.db, { channel: 'telegram', address: 'chat-9', locale: 'it' });
    expect(b).toEqual({ ...a, created: false });
  });
});

describe.skipIf(postgresSkipped)('conversation store with chat hooks', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ demoData: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('applies a turn’s effects in its transaction: if they fail, no reply is stored and the message stays pending', async () => {
    const { conversationId } = await openConversation(t.database.db, { channel: 'sms', address: '+390000000077', locale: 'it' });
    await appendInbound(t.database.db, conversationId, { body: 'sì', input: { kind: 'text' } });
    const decide = () => ({
      state: { step: 'x' },
      replies: [{ body: 'prima' }],
      understood: { intent: 'request_help' },
      effects: [{ kind: 'link_identity' as const, code: 'ACDE7FGH' }],
      finish: (r: { reference?: string }) => ({ replies: [{ body: `rif ${r.reference}` }] }),
    });
    await expect(
      processPending(t.database.db, conversationId, decide, new Date(), {
        applyEffects: async () => {
          throw new Error('simulated failure');
        },
      }),
    ).rejects.toThrow('simulated failure');
    expect((await listMessages(t.database.db, conversationId)).map((m) => m.body)).toEqual(['sì']);
    const done = await processPending(t.database.db, conversationId, decide, new Date(), { applyEffects: async () => ({ reference: 'R-7' }) });
    expect(done).toHaveLength(1);
    expect((await listMessages(t.database.db, conversationId)).map((m) => m.body)).toEqual(['sì', 'prima', 'rif R-7']);
  });
});
