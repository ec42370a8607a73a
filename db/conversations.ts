/**
 * Conversation storage: store first, then process.
 *
 * An inbound message is committed (with its sequence number) before anything handles it; the
 * engine then works through a conversation's unprocessed messages in sequence order while
 * holding the conversation's row lock. So a crash or a database error between the two steps
 * leaves the message to be processed later, never lost, and two messages of one conversation
 * are never handled at the same time or out of order — on PGlite and PostgreSQL alike.
 */
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Channel, Handling, StoredInput, StoredOption } from './schema.ts';
import { channelIdentities, conversations, messages, webChatSessions } from './schema.ts';
import { notify, type Db, type Queryable, type Tx } from './client.ts';
import type { ChatContext } from '../core/conversation/context.ts';
import type { Effect, EffectResults } from '../core/conversation/types.ts';

/** NOTIFY channel for new messages; payload "<conversationId>:<seq>". */
export const MESSAGES_CHANNEL = 'centrale_messages';

export interface ConversationRow {
  id: string;
  identityId: string;
  comuneId: string | null;
  channel: Channel;
  locale: string;
  state: Record<string, unknown>;
  handling: Handling;
}

export interface StoredMessage {
  id: string;
  seq: number;
  direction: 'in' | 'out';
  author: 'person' | 'bot' | 'staff' | 'system';
  body: string;
  options: StoredOption[] | null;
  createdAt: Date;
}

const messageColumns = {
  id: messages.id,
  seq: messages.seq,
  direction: messages.direction,
  author: messages.author,
  body: messages.body,
  options: messages.options,
  createdAt: messages.createdAt,
};

/** Finds or creates the identity for a channel address and its open conversation. */
export async function openConversation(
  db: Db,
  input: { channel: Channel; address: string; locale: string },
): Promise<{ conversationId: string; identityId: string; created: boolean }> {
  return db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(channelIdentities)
      .values({ channel: input.channel, address: input.address, locale: input.locale })
      .onConflictDoNothing()
      .returning({ id: channelIdentities.id });
    const identityId =
      inserted?.id ??
      (
        await tx
          .select({ id: channelIdentities.id })
          .from(channelIdentities)
          .where(and(eq(channelIdentities.channel, input.channel), eq(channelIdentities.address, input.address)))
      )[0]!.id;
    const [existing] = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.identityId, identityId), sql`${conversations.handling} <> 'closed'`))
      .orderBy(sql`${conversations.createdAt} desc`)
      .limit(1);
    if (existing) return { conversationId: existing.id, identityId, created: false };
    const [created] = await tx
      .insert(conversations)
      .values({ channel: input.channel, identityId, locale: input.locale })
      .returning({ id: conversations.id });
    return { conversationId: created!.id, identityId, created: true };
  });
}

/** Creates a web-chat session: a fresh identity, its conversation, and the hashed bearer token. */
export async function createWebChatSession(
  db: Db,
  input: { locale: string; tokenHash: string },
): Promise<{ sessionId: string; conversationId: string }> {
  return db.transaction(async (tx) => {
    const [identity] = await tx
      .insert(channelIdentities)
      .values({ channel: 'web', address: crypto.randomUUID(), locale: input.locale })
      .returning({ id: channelIdentities.id });
    const [conversation] = await tx
      .insert(conversations)
      .values({ channel: 'web', identityId: identity!.id, locale: input.locale })
      .returning({ id: conversations.id });
    const [session] = await tx
      .insert(webChatSessions)
      .values({ tokenHash: input.tokenHash, conversationId: conversation!.id })
      .returning({ id: webChatSessions.id });
    return { sessionId: session!.id, conversationId: conversation!.id };
  });
}

/** Hands out the next sequence number; the caller must hold the conversation's row lock. */
export async function nextSeq(tx: Queryable, conversationId: string): Promise<number> {
  const [row] = await tx
    .update(conversations)
    .set({ lastSeq: sql`${conversations.lastSeq} + 1`, updatedAt: sql`now()` })
    .where(eq(conversations.id, conversationId))
    .returning({ seq: conversations.lastSeq });
  return row!.seq;
}

async function lockConversation(tx: Queryable, conversationId: string): Promise<ConversationRow | undefined> {
  const [row] = await tx
    .select({
      id: conversations.id,
      identityId: conversations.identityId,
      comuneId: conversations.comuneId,
      channel: conversations.channel,
      locale: conversations.locale,
      state: conversations.state,
      handling: conversations.handling,
    })
    .from(conversations)
    .where(eq(conversations.id, conversationId))
    .for('update');
  return row;
}

export interface InboundToStore {
  body: string;
  input: StoredInput;
  /** The channel's own id: a redelivery with the same id is recognised and not stored twice. */
  externalId?: string;
  /** 'system' for the opening of a conversation that no person typed (web session creation). */
  author?: 'person' | 'system';
}

/** Commits an inbound message. Returns the existing one when the external id was seen before. */
export async function appendInbound(
  db: Db,
  conversationId: string,
  inbound: InboundToStore,
): Promise<{ messageId: string; seq: number; duplicate: boolean }> {
  return db.transaction(async (tx) => {
    const conversation = await lockConversation(tx, conversationId);
    if (!conversation) throw new Error(`conversation ${conversationId} not found`);
    if (inbound.externalId !== undefined) {
      const [seen] = await tx
        .select({ id: messages.id, seq: messages.seq })
        .from(messages)
        .where(and(eq(messages.conversationId, conversationId), eq(messages.externalId, inbound.externalId)));
      if (seen) return { messageId: seen.id, seq: seen.seq, duplicate: true };
    }
    const seq = await nextSeq(tx, conversationId);
    const [row] = await tx
      .insert(messages)
      .values({
        conversationId,
        seq,
        direction: 'in',
        author: inbound.author ?? 'person',
        body: inbound.body,
        input: inbound.input,
        externalId: inbound.externalId ?? null,
      })
      .returning({ id: messages.id });
    await notify(tx, MESSAGES_CHANNEL, `${conversationId}:${seq}`);
    return { messageId: row!.id, seq, duplicate: false };
  });
}

export interface PendingInbound {
  id: string;
  seq: number;
  body: string;
  input: StoredInput;
}

/** What handling one inbound message produced, ready to store. */
export interface Outcome {
  state: Record<string, unknown>;
  replies: { body: string; options?: StoredOption[] }[];
  understood: Record<string, unknown>;
  handover?: { urgent: boolean };
  /** Records the turn creates (help request, segnalazione, link, …), applied in the same transaction. */
  effects?: Effect[];
  /** Replies that depend on the effects' outcome (reference number, link result). */
  finish?: (results: EffectResults) => { replies: { body: string; options?: StoredOption[] }[]; state?: Record<string, unknown> };
}

/** How the chat layer plugs into processing (db/chat-deps.ts): context before a turn, effects after it. */
export interface ProcessHooks {
  loadContext?(tx: Tx, conversation: ConversationRow, now: Date): Promise<ChatContext>;
  applyEffects?(
    tx: Tx,
    input: { conversation: ConversationRow; messageId: string; effects: Effect[]; context: ChatContext | undefined; now: Date; origin?: string },
  ): Promise<EffectResults>;
  /** The comune a conversation belongs to once known (the linked person's), for the staff inbox scope. */
  comuneOf?(context: ChatContext): string | null;
}

/**
 * Handles every unprocessed inbound message of a conversation, in sequence order, under the
 * conversation's row lock. `decide` must be pure (the engine plus rendering): it may run again
 * if the transaction is retried.
 */
export async function processPending(
  db: Db,
  conversationId: string,
  decide: (conversation: ConversationRow, message: PendingInbound, context?: ChatContext) => Outcome,
  now: Date,
  hooks: ProcessHooks = {},
  options: { origin?: string } = {},
): Promise<{ inboundId: string; replySeqs: number[] }[]> {
  return db.transaction(async (tx) => {
    const conversation = await lockConversation(tx, conversationId);
    if (!conversation) return [];
    const pending = await tx
      .select({ id: messages.id, seq: messages.seq, body: messages.body, input: messages.input })
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'in'), isNull(messages.processedAt)))
      .orderBy(asc(messages.seq));
    const done: { inboundId: string; replySeqs: number[] }[] = [];
    let current = conversation;
    for (const message of pending) {
      const context = hooks.loadContext ? await hooks.loadContext(tx, current, now) : undefined;
      const outcome = decide(current, { ...message, input: message.input ?? { kind: 'text' } }, context);
      let replies = outcome.replies;
      let state = outcome.state;
      if (outcome.effects && outcome.effects.length > 0 && hooks.applyEffects) {
        const results = await hooks.applyEffects(tx, { conversation: current, messageId: message.id, effects: outcome.effects, context, now, ...(options.origin !== undefined ? { origin: options.origin } : {}) });
        if (outcome.finish) {
          const done = outcome.finish(results);
          replies = [...replies, ...done.replies];
          if (done.state) state = done.state;
        }
      } else if (outcome.finish) {
        const done = outcome.finish({});
        replies = [...replies, ...done.replies];
        if (done.state) state = done.state;
      }
      const comuneId = current.comuneId ?? (context && hooks.comuneOf ? hooks.comuneOf(context) : null);
      const replySeqs: number[] = [];
      for (const reply of replies) {
        const seq = await nextSeq(tx, conversationId);
        await tx.insert(messages).values({
          conversationId,
          seq,
          direction: 'out',
          author: 'bot',
          body: reply.body,
          options: reply.options ?? null,
          replyTo: message.id,
        });
        replySeqs.push(seq);
      }
      await tx.update(messages).set({ processedAt: now, understood: outcome.understood }).where(eq(messages.id, message.id));
      const handling: Handling = outcome.handover && current.handling === 'bot' ? 'waiting' : current.handling;
      await tx
        .update(conversations)
        .set({
          state,
          handling,
          ...(comuneId !== current.comuneId ? { comuneId } : {}),
          ...(outcome.handover ? { handedOverAt: now } : {}),
          ...(outcome.handover?.urgent ? { urgent: true } : {}),
          updatedAt: now,
        })
        .where(eq(conversations.id, conversationId));
      current = { ...current, state, handling, comuneId };
      done.push({ inboundId: message.id, replySeqs });
      const last = replySeqs.at(-1);
      if (last !== undefined) await notify(tx, MESSAGES_CHANNEL, `${conversationId}:${last}`);
    }
    return done;
  });
}

/** Stores a message to the person that no inbound message caused (a staff reply, a reminder). */
export async function appendOutbound(
  db: Db,
  conversationId: string,
  outbound: { body: string; author: 'staff' | 'system' | 'bot'; staffUserId?: string; options?: StoredOption[] },
): Promise<{ messageId: string; seq: number }> {
  return db.transaction(async (tx) => {
    const conversation = await lockConversation(tx, conversationId);
    if (!conversation) throw new Error(`conversation ${conversationId} not found`);
    const seq = await nextSeq(tx, conversationId);
    const [row] = await tx
      .insert(messages)
      .values({ conversationId, seq, direction: 'out', author: outbound.author, staffUserId: outbound.staffUserId ?? null, body: outbound.body, options: outbound.options ?? null })
      .returning({ id: messages.id });
    await notify(tx, MESSAGES_CHANNEL, `${conversationId}:${seq}`);
    return { messageId: row!.id, seq };
  });
}

/** Messages of a conversation after a sequence number, oldest first. */
export async function listMessages(q: Queryable, conversationId: string, afterSeq = 0, limit = 500): Promise<StoredMessage[]> {
  return q
    .select(messageColumns)
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), gt(messages.seq, afterSeq)))
    .orderBy(asc(messages.seq))
    .limit(limit);
}

/** The replies caused by one inbound message, and what the engine understood of it. */
export async function repliesTo(
  q: Queryable,
  inboundId: string,
): Promise<{ replies: StoredMessage[]; understood: Record<string, unknown> | null }> {
  const [inbound] = await q.select({ understood: messages.understood }).from(messages).where(eq(messages.id, inboundId));
  const replies = await q.select(messageColumns).from(messages).where(eq(messages.replyTo, inboundId)).orderBy(asc(messages.seq));
  return { replies, understood: inbound?.understood ?? null };
}

/** The options of the latest bot message: what a chosen option id is checked against. */
export async function latestOptions(q: Queryable, conversationId: string): Promise<StoredOption[]> {
  const [row] = await q
    .select({ options: messages.options })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'out'), sql`${messages.options} is not null`))
    .orderBy(sql`${messages.seq} desc`)
    .limit(1);
  return row?.options ?? [];
}

/** The conversation store port of core/conversation/service.ts, on this database. */
export function createConversationStore(db: Db, hooks: ProcessHooks = {}) {
  return {
    appendInbound: (conversationId: string, inbound: InboundToStore) => appendInbound(db, conversationId, inbound),
    processPending: (conversationId: string, decide: (c: ConversationRow, m: PendingInbound, context?: ChatContext) => Outcome, now: Date, options?: { origin?: string }) =>
      processPending(db, conversationId, decide, now, hooks, options ?? {}),
    repliesTo: (inboundId: string) => repliesTo(db, inboundId),
    latestOptions: (conversationId: string) => latestOptions(db, conversationId),
  };
}
