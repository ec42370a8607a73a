/**
 * Telegram turns in batches (db/channel-batch.ts): many chats' ordinary messages written in a few
 * statements, the same answer as the one-by-one path, and everything the batch must not take
 * (earlier updates pending, a message already stored, a turn with effects, a conversation changed
 * between planning and writing, a redelivery) left untouched for the one-by-one path.
 */
import { and, asc, eq, ne } from 'drizzle-orm';
import type { i18n as I18n } from 'i18next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleTelegramBatch, planTelegramBatch, writeTelegramBatch, type BatchUpdate } from '../../db/channel-batch.ts';
import { handleChannelInput, storeInbound, type ChannelContext } from '../../db/channel-inbox.ts';
import { appendOutbound } from '../../db/conversations.ts';
import { auditLog, channelIdentities, channelInbound, conversations, messages, outboundMessages } from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { createTestDatabase, postgresSkipped, type TestDatabase } from '../helpers/test-db.ts';

describe.skipIf(postgresSkipped)('Telegram turns in batches', () => {
  let t: TestDatabase;
  let i18n: I18n;
  let ctx: ChannelContext;
  beforeAll(async () => {
    t = await createTestDatabase({ demoData: false });
    i18n = await createI18n();
    ctx = { database: t.database, i18n, now: () => new Date() };
  });
  afterAll(async () => {
    await t?.close();
  });

  const db = () => t.database.db;
  let updateId = 300_000;
  /** Stores a raw update as the webhook does (the payload carries the chat, for pending_chat). */
  async function store(chat: string, input: BatchUpdate['input'], id = ++updateId): Promise<BatchUpdate> {
    const c = { id: Number(chat), type: 'private' };
    const text = input.kind === 'text' ? input.text : '/start';
    const payload =
      input.kind === 'option'
        ? { update_id: id, callback_query: { id: `cb${id}`, data: input.optionId, from: { id: Number(chat) }, message: { message_id: 1, chat: c } } }
        : { update_id: id, message: { message_id: id, date: 0, chat: c, from: { id: Number(chat), is_bot: false, first_name: 'x' }, text } };
    const stored = await storeInbound(db(), { channel: 'telegram', externalId: String(id), payload });
    return { rowId: stored.id, externalId: String(id), chatId: chat, locale: 'it', input };
  }
  /** The one-by-one path for a stored update (as bot/telegram.ts falls back to it). */
  const oneByOne = (u: BatchUpdate) =>
    handleChannelInput(ctx, { channel: 'telegram', address: u.chatId, locale: u.locale, externalId: u.externalId, event: u.input, inboundRowId: u.rowId });

  async function conversationOf(chat: string) {
    const [identity] = await db().select().from(channelIdentities).where(and(eq(channelIdentities.channel, 'telegram'), eq(channelIdentities.address, chat)));
    if (!identity) return undefined;
    const open = await db().select().from(conversations).where(and(eq(conversations.identityId, identity.id), ne(conversations.handling, 'closed')));
    expect(open).toHaveLength(1);
    return open[0]!;
  }
  const messagesOf = (conversationId: string) => db().select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(asc(messages.seq));
  const inboxRow = async (rowId: number) => (await db().select().from(channelInbound).where(eq(channelInbound.id, rowId)))[0]!;
  /** The inbound message of an update and its replies; checks they are stored once, contiguously. */
  async function turnOf(chat: string, externalId: string) {
    const conv = (await conversationOf(chat))!;
    const all = await messagesOf(conv.id);
    const inbound = all.filter((m) => m.externalId === externalId);
    expect(inbound).toHaveLength(1);
    const replies = all.filter((m) => m.replyTo === inbound[0]!.id);
    expect(replies.map((r) => r.seq)).toEqual(replies.map((_, k) => inbound[0]!.seq + 1 + k));
    expect(replies.every((r) => r.direction === 'out' && r.author === 'bot')).toBe(true);
    expect(conv.lastSeq).toBe(Math.max(...all.map((m) => m.seq)));
    return { conv, all, inbound: inbound[0]!, replies };
  }
  const latestOptionsOf = async (conversationId: string) => (await messagesOf(conversationId)).filter((m) => m.direction === 'out' && m.options).at(-1)!.options!;

  it('writes the turns of six chats, new and known, with their replies queued', async () => {
    const known = ['7300011', '7300012', '7300013'];
    for (const chat of known) await oneByOne(await store(chat, { kind: 'text', text: 'buongiorno' }));
    const before = new Map(await Promise.all(known.map(async (c) => [c, (await conversationOf(c))!.lastSeq] as const)));
    const offered = await latestOptionsOf((await conversationOf(known[0]!))!.id);
    const more = offered.find((o) => o.id.endsWith('.more'))!;
    expect(more).toBeDefined();

    const updates = [
      await store('7300001', { kind: 'text', text: 'buongiorno' }),
      await store('7300002', { kind: 'start' }),
      await store('7300003', { kind: 'text', text: 'vorrei parlare con un operatore' }),
      await store(known[0]!, { kind: 'option', optionId: more.id }),
      await store(known[1]!, { kind: 'text', text: 'buongiorno' }),
      await store(known[2]!, { kind: 'start' }),
    ];
    const handled = await handleTelegramBatch(ctx, updates);
    expect([...handled].sort()).toEqual(updates.map((u) => u.rowId).sort());

    for (const u of updates) {
      const { conv, all, inbound, replies } = await turnOf(u.chatId, u.externalId);
      expect(inbound.direction).toBe('in');
      expect(inbound.processedAt).not.toBeNull();
      expect(inbound.seq).toBe((before.get(u.chatId) ?? 0) + 1);
      expect(all).toHaveLength(inbound.seq + replies.length);
      expect(replies.length).toBeGreaterThan(0);
      const queued = await db().select().from(outboundMessages).where(eq(outboundMessages.conversationId, conv.id));
      const mine = queued.filter((q) => replies.some((r) => r.id === q.messageId));
      expect(mine).toHaveLength(replies.length);
      for (const r of replies) {
        const q = mine.find((m) => m.messageId === r.id)!;
        expect(q).toMatchObject({ dedupeKey: `msg:${r.id}`, status: 'queued', address: u.chatId, channel: 'telegram', body: r.body, purpose: 'reply' });
      }
      expect((await inboxRow(u.rowId)).processedAt).not.toBeNull();
      if (u.input.kind === 'start') {
        expect(inbound).toMatchObject({ author: 'system', input: { kind: 'start' } });
        expect(replies[0]!.body).toBe(i18n.t('chat:welcome.privacy', { lng: 'it' }));
      }
    }
    const option = await turnOf(known[0]!, updates[3]!.externalId);
    expect(option.inbound.body).toBe(more.label);
    expect(option.inbound.body).not.toBe(more.id);
    expect(option.inbound.input).toEqual({ kind: 'option', optionId: more.id });
    const operator = (await conversationOf('7300003'))!;
    expect(operator.handling).toBe('waiting');
    expect(operator.handedOverAt).not.toBeNull();
  });

  it('answers as the one-by-one path does', async () => {
    const texts = ['buongiorno', 'quanto mi resta sul voucher?', 'vorrei parlare con un operatore'];
    const batch = await Promise.all(texts.map((text, k) => store(`74000${k}1`, { kind: 'text', text })));
    expect((await handleTelegramBatch(ctx, batch)).size).toBe(texts.length);
    for (const [k, text] of texts.entries()) {
      const single = await store(`74000${k}2`, { kind: 'text', text });
      await oneByOne(single);
      const a = await turnOf(batch[k]!.chatId, batch[k]!.externalId);
      const b = await turnOf(single.chatId, single.externalId);
      expect(a.replies.map((r) => [r.body, r.options])).toEqual(b.replies.map((r) => [r.body, r.options]));
      expect(a.replies.length).toBeGreaterThan(0);
      // The same state, but for when the person was told an operator will answer (the clock runs on).
      const { heldAt: heldA, at: atA, ...stateA } = a.conv.state as Record<string, unknown>;
      const { heldAt: heldB, at: atB, ...stateB } = b.conv.state as Record<string, unknown>;
      expect(stateA).toEqual(stateB);
      expect([typeof heldA, typeof atA]).toEqual([typeof heldB, typeof atB]);
      expect([a.conv.handling, a.conv.urgent, a.conv.comuneId]).toEqual([b.conv.handling, b.conv.urgent, b.conv.comuneId]);
      expect(a.inbound.understood).toEqual(b.inbound.understood);
    }
  });

  it('switches a conversation to the language the person clearly writes in, on both paths', async () => {
    // A phone set to English (language_code en) whose owner writes Italian.
    const text = 'buongiorno, vorrei parlare con un operatore per favore';
    const batch = { ...(await store('7410001', { kind: 'text', text })), locale: 'en' };
    expect((await handleTelegramBatch(ctx, [batch])).size).toBe(1);
    const single = { ...(await store('7410002', { kind: 'text', text })), locale: 'en' };
    await oneByOne(single);
    for (const u of [batch, single]) {
      const { conv, replies } = await turnOf(u.chatId, u.externalId);
      expect(conv.locale).toBe('it');
      expect(replies[0]!.body).toMatch(/^La metto in contatto con un operatore/);
      const queued = await db().select().from(outboundMessages).where(eq(outboundMessages.conversationId, conv.id));
      expect(queued.map((q) => q.locale)).toEqual(replies.map(() => 'it'));
    }
  });

  it('leaves to the one-by-one path a chat with earlier updates pending, a stored message, a turn with effects', async () => {
    // (a) An earlier update of the chat is stored and unhandled.
    const earlier = await store('7500001', { kind: 'text', text: 'buongiorno' });
    const later = await store('7500001', { kind: 'text', text: 'saldo voucher' });
    // (b) The update is already a message of the conversation (a crash before the raw update was marked).
    const seen = await store('7500002', { kind: 'text', text: 'buongiorno' });
    await handleChannelInput(ctx, { channel: 'telegram', address: seen.chatId, locale: 'it', externalId: seen.externalId, event: seen.input });
    const seenBefore = await messagesOf((await conversationOf(seen.chatId))!.id);
    // (c) A link code typed at the menu: its turn redeems it (an audit record), which the batch leaves.
    await oneByOne(await store('7500003', { kind: 'text', text: 'buongiorno' }));
    const codeBefore = await messagesOf((await conversationOf('7500003'))!.id);
    const code = await store('7500003', { kind: 'text', text: 'ACDE-FGHJ' });

    expect((await handleTelegramBatch(ctx, [later, seen, code])).size).toBe(0);
    expect(await conversationOf(later.chatId)).toBeUndefined();
    expect(await messagesOf((await conversationOf(seen.chatId))!.id)).toEqual(seenBefore);
    expect(await messagesOf((await conversationOf(code.chatId))!.id)).toEqual(codeBefore);
    expect(await db().select().from(auditLog).where(eq(auditLog.action, 'chat.link'))).toHaveLength(0);
    for (const u of [later, seen, code]) expect((await inboxRow(u.rowId)).processedAt).toBeNull();

    for (const u of [earlier, later, seen, code]) await oneByOne(u);
    const a1 = await turnOf(earlier.chatId, earlier.externalId);
    const a2 = await turnOf(later.chatId, later.externalId);
    expect(a2.inbound.seq).toBeGreaterThan(a1.inbound.seq);
    const b = await turnOf(seen.chatId, seen.externalId);
    expect(b.all).toHaveLength(seenBefore.length);
    const c = await turnOf(code.chatId, code.externalId);
    expect(c.replies.length).toBeGreaterThan(0);
    const audits = await db().select().from(auditLog).where(and(eq(auditLog.action, 'chat.link'), eq(auditLog.subjectId, c.conv.id)));
    expect(audits).toHaveLength(1);
    for (const u of [earlier, later, seen, code]) expect((await inboxRow(u.rowId)).processedAt).not.toBeNull();
  });

  it('does not write a turn whose conversation changed after it was planned', async () => {
    const staffChat = '7600001';
    const humanChat = '7600002';
    const quietChat = '7600003';
    for (const chat of [staffChat, humanChat, quietChat]) await oneByOne(await store(chat, { kind: 'text', text: 'buongiorno' }));
    const updates = await Promise.all([staffChat, humanChat, quietChat].map((chat) => store(chat, { kind: 'text', text: 'buongiorno' })));
    const plan = await planTelegramBatch(ctx, updates);
    expect(plan.turns).toHaveLength(3);

    const staffConv = (await conversationOf(staffChat))!;
    const staff = await appendOutbound(db(), staffConv.id, { body: 'Buongiorno, sono Marta del servizio sociale.', author: 'staff' });
    const humanConv = (await conversationOf(humanChat))!;
    await db().update(conversations).set({ handling: 'human' }).where(eq(conversations.id, humanConv.id));

    const handled = await writeTelegramBatch(ctx, plan);
    expect([...handled]).toEqual([updates[2]!.rowId]);
    await turnOf(quietChat, updates[2]!.externalId);

    const staffAfter = await messagesOf(staffConv.id);
    expect(staffAfter.some((m) => m.externalId === updates[0]!.externalId)).toBe(false);
    expect(staffAfter.at(-1)).toMatchObject({ id: staff.messageId, seq: staff.seq, author: 'staff', body: 'Buongiorno, sono Marta del servizio sociale.' });
    expect((await conversationOf(staffChat))!).toMatchObject({ lastSeq: staff.seq, state: staffConv.state, handling: 'bot' });
    const humanAfter = (await conversationOf(humanChat))!;
    expect(humanAfter).toMatchObject({ handling: 'human', lastSeq: humanConv.lastSeq });
    expect((await messagesOf(humanConv.id)).some((m) => m.externalId === updates[1]!.externalId)).toBe(false);
    for (const u of updates.slice(0, 2)) expect((await inboxRow(u.rowId)).processedAt).toBeNull();

    // The one-by-one path then takes it, after the staff message.
    await oneByOne(updates[0]!);
    expect((await turnOf(staffChat, updates[0]!.externalId)).inbound.seq).toBe(staff.seq + 1);
  });

  it('handles a redelivered update once', async () => {
    const u = await store('7700001', { kind: 'text', text: 'buongiorno' });
    expect([...(await handleTelegramBatch(ctx, [u]))]).toEqual([u.rowId]);
    const first = await turnOf(u.chatId, u.externalId);
    const again = await storeInbound(db(), { channel: 'telegram', externalId: u.externalId, payload: {} });
    expect(again).toEqual({ id: u.rowId, duplicate: true, processed: true });
    expect((await handleTelegramBatch(ctx, [u])).size).toBe(0);
    const second = await turnOf(u.chatId, u.externalId);
    expect(second.all).toEqual(first.all);
    expect(second.conv.lastSeq).toBe(first.conv.lastSeq);
    const queued = await db().select().from(outboundMessages).where(eq(outboundMessages.conversationId, first.conv.id));
    expect(queued).toHaveLength(first.replies.length);
  });
});
