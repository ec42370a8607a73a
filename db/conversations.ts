/**
 * Conversation storage: store first, then process.
 *
 * An inbound message is committed (with its sequence number) before anything handles it; the
 * engine then works through a conversation's unprocessed messages in sequence order while
 * holding the conversation's row lock. So a crash or a database error between the two steps
 * leaves the message to be processed later, never lost, and two messages of one conversation
 * are never handled at the same time or out of order — on PGlite and PostgreSQL alike.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Channel, Handling, StoredInput, StoredOption } from './schema.ts';
import { channelIdentities, conversations, messages, webChatSessions } from './schema.ts';
import { notify, type Db, type Queryable, type Tx } from './client.ts';
import { OUTBOUND_CHANNEL } from './outbound.ts';
import { preparedRunner, preparedRunnerOn, type PreparedRunner } from './prepared.ts';
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

// ───────────── the turn's hot path: fixed SQL, prepared, a few round trips per turn ─────────────
// Every chat message on every channel runs these statements, so they are written once as SQL with
// $n parameters (db/prepared.ts): building them with the query builder cost more than running them.

interface RawConversation {
  id: string;
  identity_id: string;
  comune_id: string | null;
  channel: Channel;
  locale: string;
  state: Record<string, unknown>;
  handling: Handling;
}

const toConversationRow = (r: RawConversation): ConversationRow => ({
  id: r.id,
  identityId: r.identity_id,
  comuneId: r.comune_id,
  channel: r.channel,
  locale: r.locale,
  state: r.state,
  handling: r.handling,
});

const CONVERSATION_COLUMNS = 'id, identity_id, comune_id, channel, locale, state, handling';

const LOCK_SQL = `select ${CONVERSATION_COLUMNS} from conversations where id = $1::uuid for update`;

/**
 * Stores an inbound message and takes the conversation's row lock, in one statement. A message
 * whose external id is already stored is not stored again: the update finds nothing to do (or,
 * when the first copy committed while this one waited for the lock, the insert's conflict clause
 * drops it), and the caller looks the first copy up.
 */
const APPEND_SQL = `
with conv as (
  update conversations set last_seq = last_seq + 1, updated_at = now()
   where id = $1::uuid
     and ($5::text is null or not exists (select 1 from messages where conversation_id = $1::uuid and external_id = $5::text))
  returning ${CONVERSATION_COLUMNS}, last_seq),
ins as (
  insert into messages (conversation_id, seq, direction, author, body, input, external_id)
  select id, last_seq, 'in', $2::text, $3::text, $4::text::jsonb, $5::text from conv
  on conflict (conversation_id, external_id) where external_id is not null do nothing
  returning id, seq),
signal as (select pg_notify('${MESSAGES_CHANNEL}', $1::uuid::text || ':' || ins.seq) from ins)
select conv.id, conv.identity_id, conv.comune_id, conv.channel, conv.locale, conv.state, conv.handling,
       ins.id as message_id, ins.seq as message_seq, (select count(*) from signal) as signalled
  from conv left join ins on true`;

const SEEN_SQL = `select id, seq from messages where conversation_id = $1::uuid and external_id = $2::text`;

const PENDING_SQL = `
select id, seq, body, input from messages
 where conversation_id = $1::uuid and direction = 'in' and processed_at is null
 order by seq`;

/**
 * Writes one handled turn in one statement: the conversation's new state and sequence numbers,
 * the replies, the inbound message marked handled, and — for Telegram and SMS — the replies put
 * in the outbound queue and the raw channel update marked handled. All or nothing, so a reply is
 * never stored without being queued, and an update is never marked handled without its replies.
 */
const WRITE_TURN_SQL = `
with conv as (
  update conversations
     set last_seq = last_seq + $2::int,
         state = $3::text::jsonb,
         handling = $4::text,
         comune_id = $5::text,
         handed_over_at = case when $6::boolean then $7::text::timestamptz else handed_over_at end,
         urgent = urgent or $8::boolean,
         locale = $16::text,
         updated_at = $7::text::timestamptz
   where id = $1::uuid
  returning last_seq),
replies as (
  insert into messages (conversation_id, seq, direction, author, body, options, reply_to)
  select $1::uuid, conv.last_seq - $2::int + r.ord::int, 'out', 'bot', r.value->>'body', nullif(r.value->'options', 'null'::jsonb), $9::uuid
    from conv, jsonb_array_elements($10::text::jsonb) with ordinality as r(value, ord)
  returning id, seq, body, options),
handled as (
  update messages set processed_at = $7::text::timestamptz, understood = $11::text::jsonb where id = $9::uuid returning id),
queued as (
  insert into outbound_messages (channel, address, identity_id, person_id, conversation_id, message_id, body, options, locale, purpose, dedupe_key)
  select $12::text, $13::text, $14::uuid, $15::uuid, $1::uuid, r.id, r.body, nullif(r.options, '[]'::jsonb), $16::text, $17::text, 'msg:' || r.id::text
    from replies r where $12::text is not null
  on conflict (dedupe_key) do nothing
  returning id),
inbox as (
  update channel_inbound set processed_at = $7::text::timestamptz, last_error = null where id = $18::bigint returning id),
signals as (
  select pg_notify('${MESSAGES_CHANNEL}', $1::uuid::text || ':' || conv.last_seq) from conv where $2::int > 0
  union all
  select pg_notify('${OUTBOUND_CHANNEL}', $12::text) where exists (select 1 from queued))
select id, seq, body, options, (select count(*) from signals) as signalled, (select count(*) from handled) + (select count(*) from inbox) as marked
  from replies order by seq`;

/** Marks a raw channel update handled when its message was handled before (by an earlier attempt). */
const MARK_INBOX_SQL = `update channel_inbound set processed_at = $2::text::timestamptz, last_error = null where id = $1::bigint and processed_at is null`;

export interface InboundToStore {
  body: string;
  input: StoredInput;
  /** The channel's own id: a redelivery with the same id is recognised and not stored twice. */
  externalId?: string;
  /** 'system' for the opening of a conversation that no person typed (web session creation). */
  author?: 'person' | 'system';
}

interface AppendRow extends RawConversation {
  message_id: string | null;
  message_seq: number | null;
}

/** One statement on `run` (the database, or a transaction's connection). */
async function appendWith(run: PreparedRunner, conversationId: string, inbound: InboundToStore) {
  const [row] = await run<AppendRow>(APPEND_SQL, [conversationId, inbound.author ?? 'person', inbound.body, JSON.stringify(inbound.input), inbound.externalId ?? null]);
  if (row?.message_id) return { row, message: { messageId: row.message_id, seq: Number(row.message_seq), duplicate: false } };
  if (inbound.externalId !== undefined) {
    const [seen] = await run<{ id: string; seq: number }>(SEEN_SQL, [conversationId, inbound.externalId]);
    if (seen) return { row, message: { messageId: seen.id, seq: Number(seen.seq), duplicate: true } };
  }
  throw new Error(`conversation ${conversationId} not found`);
}

/** Commits an inbound message. Returns the existing one when the external id was seen before. */
export async function appendInbound(
  db: Db,
  conversationId: string,
  inbound: InboundToStore,
): Promise<{ messageId: string; seq: number; duplicate: boolean }> {
  return (await appendWith(preparedRunner(db), conversationId, inbound)).message;
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
  /** The language the conversation goes on in, when the person switched (core/conversation/service.ts). */
  locale?: string;
  /** Records the turn creates (help request, segnalazione, link, …), applied in the same transaction. */
  effects?: Effect[];
  /** Replies that depend on the effects' outcome (reference number, link result). */
  finish?: (results: EffectResults) => { replies: { body: string; options?: StoredOption[] }[]; state?: Record<string, unknown>; effects?: Effect[] };
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

/** Where a Telegram or SMS conversation's replies go: queued in the same transaction as the turn. */
export interface ReplyDelivery {
  channel: 'telegram' | 'sms';
  address: string;
  identityId: string;
  personId: string | null;
  purpose: 'reply' | 'notice';
}

export interface ProcessOptions {
  origin?: string;
  deliver?: ReplyDelivery;
  /** The raw channel update (channel_inbound) this processing answers: marked handled with the turn. */
  inboundRowId?: number;
}

export interface StoredReply {
  id: string;
  seq: number;
  body: string;
  options: StoredOption[] | null;
}

export interface ProcessedTurn {
  inboundId: string;
  replySeqs: number[];
  replies: StoredReply[];
  understood: Record<string, unknown>;
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
  options: ProcessOptions = {},
): Promise<ProcessedTurn[]> {
  return db.transaction(async (tx) => {
    const run = preparedRunnerOn(tx);
    const [row] = await run<RawConversation>(LOCK_SQL, [conversationId]);
    if (!row) return [];
    return processLocked(tx, run, toConversationRow(row), decide, now, hooks, options);
  });
}

/**
 * For channels whose raw update is already stored (Telegram, SMS): stores the message and handles
 * it in one transaction. If anything fails, nothing of the turn is kept and the raw update stays
 * unhandled for the recovery sweep; a redelivered message is recognised by its external id.
 */
export async function appendAndProcess(
  db: Db,
  conversationId: string,
  inbound: InboundToStore,
  decide: (conversation: ConversationRow, message: PendingInbound, context?: ChatContext) => Outcome,
  now: Date,
  hooks: ProcessHooks = {},
  options: ProcessOptions = {},
): Promise<{ messageId: string; duplicate: boolean; turns: ProcessedTurn[] }> {
  return db.transaction(async (tx) => {
    const run = preparedRunnerOn(tx);
    const { row, message } = await appendWith(run, conversationId, inbound);
    // A duplicate took no lock: take it now, then handle whatever is still pending.
    const locked = row ?? (await run<RawConversation>(LOCK_SQL, [conversationId]))[0];
    if (!locked) throw new Error(`conversation ${conversationId} not found`);
    const turns = await processLocked(tx, run, toConversationRow(locked), decide, now, hooks, options);
    return { messageId: message.messageId, duplicate: message.duplicate, turns };
  });
}

async function processLocked(
  tx: Tx,
  run: PreparedRunner,
  conversation: ConversationRow,
  decide: (conversation: ConversationRow, message: PendingInbound, context?: ChatContext) => Outcome,
  now: Date,
  hooks: ProcessHooks,
  options: ProcessOptions,
): Promise<ProcessedTurn[]> {
  const conversationId = conversation.id;
  const pending = await run<PendingInbound>(PENDING_SQL, [conversationId]);
  const at = now.toISOString();
  const deliver = options.deliver;
  const done: ProcessedTurn[] = [];
  let current = conversation;
  for (const [index, message] of pending.entries()) {
    const context = hooks.loadContext ? await hooks.loadContext(tx, current, now) : undefined;
    const outcome = decide(current, { ...message, seq: Number(message.seq), input: message.input ?? { kind: 'text' } }, context);
    let replies = outcome.replies;
    let state = outcome.state;
    if (outcome.effects && outcome.effects.length > 0 && hooks.applyEffects) {
      const results = await hooks.applyEffects(tx, { conversation: current, messageId: message.id, effects: outcome.effects, context, now, ...(options.origin !== undefined ? { origin: options.origin } : {}) });
      if (outcome.finish) {
        const finished = outcome.finish(results);
        replies = [...replies, ...finished.replies];
        if (finished.state) state = finished.state;
        // The finished replies' own effects (a file read right after linking, audited): checked
        // against the context as the first effects left it.
        if (finished.effects && finished.effects.length > 0) {
          const after = hooks.loadContext ? await hooks.loadContext(tx, current, now) : context;
          await hooks.applyEffects(tx, { conversation: current, messageId: message.id, effects: finished.effects, context: after, now, ...(options.origin !== undefined ? { origin: options.origin } : {}) });
        }
      }
    } else if (outcome.finish) {
      const finished = outcome.finish({});
      replies = [...replies, ...finished.replies];
      if (finished.state) state = finished.state;
    }
    const comuneId = current.comuneId ?? (context && hooks.comuneOf ? hooks.comuneOf(context) : null);
    const handling: Handling = outcome.handover && current.handling === 'bot' ? 'waiting' : current.handling;
    const locale = outcome.locale ?? current.locale;
    const last = index === pending.length - 1;
    const written = await run<StoredReply>(WRITE_TURN_SQL, [
      conversationId,
      replies.length,
      JSON.stringify(state),
      handling,
      comuneId,
      outcome.handover !== undefined,
      at,
      outcome.handover?.urgent === true,
      message.id,
      JSON.stringify(replies.map((r) => ({ body: r.body, options: r.options ?? null }))),
      JSON.stringify(outcome.understood),
      deliver?.channel ?? null,
      deliver?.address ?? null,
      deliver?.identityId ?? null,
      deliver?.personId ?? null,
      locale,
      deliver?.purpose ?? 'reply',
      last && options.inboundRowId !== undefined ? options.inboundRowId : null,
    ]);
    const stored = written.map((r) => ({ id: r.id, seq: Number(r.seq), body: r.body, options: r.options ?? null }));
    current = { ...current, state, handling, comuneId, locale };
    done.push({ inboundId: message.id, replySeqs: stored.map((r) => r.seq), replies: stored, understood: outcome.understood });
  }
  // Everything was handled before (a retry after the turn committed): the raw update is done too.
  if (pending.length === 0 && options.inboundRowId !== undefined) await run(MARK_INBOX_SQL, [options.inboundRowId, at]);
  return done;
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
export function createConversationStore(db: Db, hooks: ProcessHooks = {}, delivery: Omit<ProcessOptions, 'origin'> = {}) {
  type Decide = (c: ConversationRow, m: PendingInbound, context?: ChatContext) => Outcome;
  return {
    appendInbound: (conversationId: string, inbound: InboundToStore) => appendInbound(db, conversationId, inbound),
    processPending: (conversationId: string, decide: Decide, now: Date, options?: { origin?: string }) =>
      processPending(db, conversationId, decide, now, hooks, { ...delivery, ...options }),
    appendAndProcess: (conversationId: string, inbound: InboundToStore, decide: Decide, now: Date, options?: { origin?: string }) =>
      appendAndProcess(db, conversationId, inbound, decide, now, hooks, { ...delivery, ...options }),
    repliesTo: (inboundId: string) => repliesTo(db, inboundId),
    latestOptions: (conversationId: string) => latestOptions(db, conversationId),
  };
}
