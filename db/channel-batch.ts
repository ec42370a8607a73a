/**
 * Telegram turns in batches: the ordinary messages of many chats that arrived together are
 * handled with a few statements for all of them, instead of a transaction of several statements
 * for each (db/channel-inbox.ts handleChannelInput, which stays the path for everything else).
 *
 * 1. One read finds, for every update, its chat's identity and open conversation, and whether
 *    anything forbids the fast path: an earlier update of the chat still unhandled, a message of
 *    the conversation still to handle, this update already stored as a message.
 * 2. New chats get their identity and conversation in one statement.
 * 3. One read loads every identity's chat context; the engine decides each turn (pure).
 * 4. One statement writes every turn — inbound message, replies, reply queue, raw update marked
 *    handled — each only if its conversation is still exactly as it was read (sequence number,
 *    state, handling, comune). This check replaces the row lock of the one-by-one path: a
 *    conversation that changed meanwhile (another instance, a staff reply) is not written.
 *
 * Whatever is not written here — a turn with effects (a help request, a link…), a changed
 * conversation, a chat with earlier updates pending, any failure — is returned to the caller,
 * which handles it one by one as before. So the batch only ever does the easy part, and the
 * guarantees (stored once, handled once, in order) stay with the one-by-one path.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { cleanText, decideTurn, type Decision } from '../core/conversation/service.ts';
import { homeComuneOf } from '../core/conversation/context.ts';
import { render } from '../locales/index.ts';
import { loadChatContexts } from './chat-data.ts';
import type { ChannelContext } from './channel-inbox.ts';
import { MESSAGES_CHANNEL } from './conversations.ts';
import { OUTBOUND_CHANNEL } from './outbound.ts';
import { preparedRunner } from './prepared.ts';
import type { Channel, Handling, StoredInput, StoredOption } from './schema.ts';

/** An update the batch may take: plain text, a chosen option, or /start without a code. */
export interface BatchUpdate {
  /** channel_inbound id */
  rowId: number;
  /** Telegram update_id, as stored */
  externalId: string;
  chatId: string;
  /** From the sender's Telegram language, for a new conversation. */
  locale: string;
  input: { kind: 'text'; text: string } | { kind: 'option'; optionId: string } | { kind: 'start' };
}

interface ResolvedRow {
  i: number;
  identity_id: string | null;
  person_id: string | null;
  conversation_id: string | null;
  channel: Channel | null;
  locale: string | null;
  state: Record<string, unknown> | null;
  handling: Handling | null;
  comune_id: string | null;
  last_seq: number | null;
  unhandled: boolean;
  blocked: boolean;
  options: StoredOption[] | null;
}

/**
 * Per update: identity, open conversation, and whether the one-by-one path must take it
 * (`blocked`): the raw update is gone or handled, an earlier update of the chat is still
 * unhandled (pendingOfChatUpTo's rule), a message of the conversation waits, or this update is
 * already a message (a crash after the turn, before the raw update was marked). (Exported for the
 * plan test.)
 */
export const RESOLVE_SQL = `
with k as (select * from jsonb_to_recordset($1::text::jsonb) as k(i int, row_id bigint, chat text, update_seq bigint, external_id text))
select k.i, i.id as identity_id, i.person_id, c.id as conversation_id, c.channel, c.locale, c.state, c.handling, c.comune_id, c.last_seq,
       (r.processed_at is null and r.id is not null) as unhandled,
       (earlier.id is not null or waiting.id is not null or seen.id is not null) as blocked,
       latest.options
  from k
  -- Each lookup is a lateral probe with LIMIT 1: an index lookup per update, never a scan or a
  -- hash of the whole table (messages and channel_inbound only grow).
  left join lateral (select id, processed_at from channel_inbound where id = k.row_id limit 1) r on true
  left join lateral (select id, person_id from channel_identities where channel = 'telegram' and address = k.chat limit 1) i on true
  left join lateral (
    select id, channel, locale, state, handling, comune_id, last_seq from conversations
     where identity_id = i.id and handling <> 'closed' order by created_at desc limit 1) c on true
  left join lateral (
    select e.id from channel_inbound e
     where e.pending_chat = k.chat and e.update_seq < k.update_seq and e.attempts = 0 and e.id <> k.row_id limit 1) earlier on true
  left join lateral (
    select m.id from messages m where m.conversation_id = c.id and m.direction = 'in' and m.processed_at is null limit 1) waiting on true
  left join lateral (
    select m.id from messages m where m.conversation_id = c.id and m.external_id = k.external_id limit 1) seen on true
  left join lateral (
    select m.options from messages m
     where m.conversation_id = c.id and m.direction = 'out' and m.options is not null order by m.seq desc limit 1) latest on true`;

/**
 * First messages: the identity and its conversation, created together. An address another
 * instance created meanwhile is skipped (the insert does nothing) and left to the one-by-one path.
 */
const CREATE_SQL = `
with k as (select * from jsonb_to_recordset($1::text::jsonb) as k(chat text, locale text)),
ids as (
  insert into channel_identities (channel, address, locale) select 'telegram', k.chat, k.locale from k
  on conflict do nothing
  returning id, address, locale),
conv as (
  insert into conversations (channel, identity_id, locale) select 'telegram', ids.id, ids.locale from ids
  returning id, identity_id)
select ids.address as chat, ids.id as identity_id, conv.id as conversation_id, ids.locale
  from ids join conv on conv.identity_id = ids.id`;

/**
 * Every turn of the batch in one statement; a turn is written only if its conversation is as it
 * was read. The inbound message has no conflict clause: if it was stored meanwhile the statement
 * fails as a whole, and the caller hands every update to the one-by-one path. (Exported for the
 * plan test.)
 */
export const WRITE_SQL = `
with t as (
  select * from jsonb_to_recordset($1::text::jsonb) as t(
    conversation_id uuid, expected_seq int, expected_handling text, expected_state jsonb, expected_comune text,
    inbound_id uuid, author text, body text, input jsonb, external_id text, understood jsonb, replies jsonb,
    state jsonb, handling text, comune_id text, handover boolean, urgent boolean,
    address text, identity_id uuid, person_id uuid, locale text, inbox_id bigint)),
conv as (
  update conversations c
     set last_seq = c.last_seq + 1 + jsonb_array_length(t.replies),
         state = t.state,
         handling = t.handling,
         comune_id = t.comune_id,
         handed_over_at = case when t.handover then $2::text::timestamptz else c.handed_over_at end,
         urgent = c.urgent or t.urgent,
         locale = t.locale,
         updated_at = $2::text::timestamptz
    from t
   -- The ids as an array, so that the conversations are fetched by key: joined on t alone (which
   -- the planner guesses at 100 rows), they were hashed from a scan of every conversation.
   where c.id = any(array(select conversation_id from t))
     and c.id = t.conversation_id and c.last_seq = t.expected_seq and c.handling = t.expected_handling
     and c.state = t.expected_state and c.comune_id is not distinct from t.expected_comune
  returning c.id, c.last_seq),
w as (select t.* from t join conv on conv.id = t.conversation_id),
inbound as (
  insert into messages (id, conversation_id, seq, direction, author, body, input, external_id, processed_at, understood)
  select w.inbound_id, w.conversation_id, w.expected_seq + 1, 'in', w.author, w.body, w.input, w.external_id, $2::text::timestamptz, w.understood from w
  returning id),
r as (
  select w.*, e.value->>'id' as reply_id, e.value->>'body' as reply_body, nullif(e.value->'options', 'null'::jsonb) as reply_options, e.ord
    from w cross join jsonb_array_elements(w.replies) with ordinality as e(value, ord)),
replies as (
  insert into messages (id, conversation_id, seq, direction, author, body, options, reply_to)
  select r.reply_id::uuid, r.conversation_id, r.expected_seq + 1 + r.ord::int, 'out', 'bot', r.reply_body, r.reply_options, r.inbound_id from r
  returning id),
queued as (
  insert into outbound_messages (channel, address, identity_id, person_id, conversation_id, message_id, body, options, locale, purpose, dedupe_key)
  select 'telegram', r.address, r.identity_id, r.person_id, r.conversation_id, r.reply_id::uuid, r.reply_body, nullif(r.reply_options, '[]'::jsonb), r.locale, 'reply', 'msg:' || r.reply_id
    from r
  on conflict (dedupe_key) do nothing
  returning id),
inbox as (
  update channel_inbound set processed_at = $2::text::timestamptz, last_error = null from w where channel_inbound.id = w.inbox_id returning channel_inbound.id),
signals as (
  select pg_notify('${MESSAGES_CHANNEL}', conv.id::text || ':' || conv.last_seq) from conv
  union all
  select pg_notify('${OUTBOUND_CHANNEL}', 'telegram') where exists (select 1 from queued))
select conv.id::text as conversation_id,
       (select count(*) from signals) as signalled,
       (select count(*) from inbound) + (select count(*) from replies) + (select count(*) from inbox) as written
  from conv`;

interface Conversation {
  identityId: string;
  personId: string | null;
  conversationId: string;
  channel: Channel;
  locale: string;
  state: Record<string, unknown>;
  handling: Handling;
  comuneId: string | null;
  lastSeq: number;
  options: StoredOption[];
}

/** Longest stretch of engine work before the batch yields to the event loop. */
const YIELD_AFTER_MS = 3;

/** The turns decided for a batch, ready to write (kept apart from the write for the tests). */
export interface BatchPlan {
  turns: Record<string, unknown>[];
  /** conversation id → channel_inbound id of its turn */
  rowOfConversation: Map<string, number>;
  at: string;
}

/**
 * Handles what it can of `updates` (at most one per chat, each chat with nothing else in
 * flight in this process) and returns the row ids it handled; the caller takes the rest one by one.
 */
export async function handleTelegramBatch(ctx: ChannelContext, updates: BatchUpdate[]): Promise<Set<number>> {
  return writeTelegramBatch(ctx, await planTelegramBatch(ctx, updates));
}

/** Writes the planned turns whose conversation is unchanged; returns their channel_inbound ids. */
export async function writeTelegramBatch(ctx: ChannelContext, plan: BatchPlan): Promise<Set<number>> {
  const done = new Set<number>();
  if (plan.turns.length === 0) return done;
  const written = await preparedRunner(ctx.database.db)<{ conversation_id: string }>(WRITE_SQL, [JSON.stringify(plan.turns), plan.at]);
  for (const w of written) {
    const rowId = plan.rowOfConversation.get(w.conversation_id);
    if (rowId !== undefined) done.add(rowId);
  }
  return done;
}

/** Reads what the updates need, opens new chats' conversations, and lets the engine decide each turn. */
export async function planTelegramBatch(ctx: ChannelContext, updates: BatchUpdate[]): Promise<BatchPlan> {
  const now = ctx.now();
  const at = now.toISOString();
  const turns: Record<string, unknown>[] = [];
  const rowOfConversation = new Map<string, number>();
  const plan = { turns, rowOfConversation, at };
  if (updates.length === 0) return plan;
  const run = preparedRunner(ctx.database.db);
  const resolved = await run<ResolvedRow>(RESOLVE_SQL, [
    JSON.stringify(updates.map((u, i) => ({ i, row_id: u.rowId, chat: u.chatId, update_seq: Number(u.externalId), external_id: u.externalId }))),
  ]);
  const byIndex = new Map(resolved.map((r) => [Number(r.i), r]));
  const conversations = new Map<number, Conversation>();
  const toCreate: { i: number; chat: string; locale: string }[] = [];
  const chats = new Set<string>();
  for (const [i, u] of updates.entries()) {
    const r = byIndex.get(i);
    // One turn per chat (and so per conversation): a second update of a chat waits for the first.
    if (!r || !r.unhandled || r.blocked || chats.has(u.chatId)) continue;
    chats.add(u.chatId);
    if (r.identity_id === null) {
      toCreate.push({ i, chat: u.chatId, locale: u.locale });
    } else if (r.conversation_id !== null) {
      conversations.set(i, {
        identityId: r.identity_id,
        personId: r.person_id,
        conversationId: r.conversation_id,
        channel: r.channel ?? 'telegram',
        locale: r.locale ?? u.locale,
        state: r.state ?? {},
        handling: r.handling ?? 'bot',
        comuneId: r.comune_id,
        lastSeq: Number(r.last_seq ?? 0),
        options: r.options ?? [],
      });
    }
    // An identity without an open conversation (all closed): the one-by-one path opens one.
  }
  if (toCreate.length > 0) {
    const created = await run<{ chat: string; identity_id: string; conversation_id: string; locale: string }>(CREATE_SQL, [
      JSON.stringify(toCreate.map(({ chat, locale }) => ({ chat, locale }))),
    ]);
    const byChat = new Map(created.map((c) => [c.chat, c]));
    for (const { i, chat } of toCreate) {
      const c = byChat.get(chat);
      if (!c) continue;
      conversations.set(i, { identityId: c.identity_id, personId: null, conversationId: c.conversation_id, channel: 'telegram', locale: c.locale, state: {}, handling: 'bot', comuneId: null, lastSeq: 0, options: [] });
    }
  }
  if (conversations.size === 0) return plan;

  const contexts = await loadChatContexts(ctx.database.db, [...new Set([...conversations.values()].map((c) => c.identityId))], now, ctx.database);
  let slice = performance.now();
  for (const [i, c] of conversations) {
    // The engine is synchronous: let waiting webhooks in between turns, so that a large batch
    // never holds their answers back for long.
    if (performance.now() - slice > YIELD_AFTER_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
    const u = updates[i]!;
    const context = contexts.get(c.identityId);
    if (!context) continue;
    let body = '';
    let input: StoredInput = { kind: 'text' };
    if (u.input.kind === 'text') body = cleanText(u.input.text);
    else if (u.input.kind === 'start') input = { kind: 'start' };
    else {
      const optionId = u.input.optionId;
      input = { kind: 'option', optionId };
      // The transcript shows what the person chose, as they read it (as receiveMessage does).
      body = c.options.find((o) => o.id === optionId)?.label ?? optionId;
    }
    const view = { channel: c.channel, locale: c.locale, state: c.state, handling: c.handling };
    const decision: Decision = decideTurn((ref, locale) => render(ctx.i18n, ref, locale), now, view, { body, input }, context);
    // Records to create are written under the conversation's lock, by the one-by-one path.
    if (decision.effects && decision.effects.length > 0) continue;
    let replies = decision.replies;
    let state = decision.state;
    if (decision.finish) {
      const finished = decision.finish({});
      replies = [...replies, ...finished.replies];
      if (finished.state) state = finished.state;
    }
    const handling: Handling = decision.handover && c.handling === 'bot' ? 'waiting' : c.handling;
    turns.push({
      conversation_id: c.conversationId,
      expected_seq: c.lastSeq,
      expected_handling: c.handling,
      expected_state: c.state,
      expected_comune: c.comuneId,
      inbound_id: randomUUID(),
      author: u.input.kind === 'start' ? 'system' : 'person',
      body,
      input,
      external_id: u.externalId,
      understood: decision.understood,
      replies: replies.map((r) => ({ id: randomUUID(), body: r.body, options: r.options ?? null })),
      state,
      handling,
      comune_id: c.comuneId ?? homeComuneOf(context),
      handover: decision.handover !== undefined,
      urgent: decision.handover?.urgent === true,
      address: u.chatId,
      identity_id: c.identityId,
      person_id: c.personId,
      // The language the person wrote in, if they switched (decideTurn); the replies are in it.
      locale: decision.locale ?? c.locale,
      inbox_id: u.rowId,
    });
    rowOfConversation.set(c.conversationId, u.rowId);
  }
  return plan;
}
