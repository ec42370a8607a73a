/**
 * Store first, then process, for the Telegram and SMS channels.
 *
 * 1. `storeInbound` commits the raw update (Telegram `update_id`, SMS `MessageSid`) before
 *    anything handles it; a redelivery hits the unique key and is recognised.
 * 2. `handleChannelInput` turns it into a conversation turn. Each step is idempotent: the message
 *    is stored with the same external id (dropped the second time), the engine handles only
 *    unprocessed messages, and replies are enqueued under their message id. So a crash or a
 *    database error anywhere in between leaves the row unprocessed, the recovery sweep
 *    (`pendingInbound`) handles it again, and nothing happens twice.
 */
import { createHash } from 'node:crypto';
import type { i18n as I18n } from 'i18next';
import { and, asc, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import { normalisePhone, optionFromNumber, smsKeyword } from '../core/channels/render.ts';
import { receiveMessage } from '../core/conversation/service.ts';
import { createChatDeps } from './chat-deps.ts';
import { identityAddress, redeemLinkCode } from './chat-link.ts';
import { notify, type Database, type Db, type Queryable } from './client.ts';
import { storeInboundGrouped, type InboundToStore, type StoredInbound } from './inbound-store.ts';
import { preparedRunner } from './prepared.ts';
import { appendInbound, latestOptions, MESSAGES_CHANNEL, nextSeq, repliesTo } from './conversations.ts';
import { enqueueOutbound, openStaffTask, type OutChannel } from './outbound.ts';
import { channelIdentities, channelInbound, channelLeases, conversations, documents, messages, people, type StoredInput } from './schema.ts';

export const INBOX_CHANNEL = 'centrale_channel_inbox';
export { instanceTagOf } from './inbound-store.ts';
/** After this many failed attempts a row is left to staff (and logged), not retried forever. */
export const MAX_INBOUND_ATTEMPTS = 10;

export interface InboundRow {
  id: number;
  channel: OutChannel;
  externalId: string;
  payload: Record<string, unknown>;
  attempts: number;
}

/**
 * Commits a raw update and announces it (NOTIFY) before the provider gets its 200. `duplicate`
 * when this external id was stored before. Concurrent calls share one statement (db/inbound-store.ts).
 */
export function storeInbound(db: Db, input: InboundToStore): Promise<StoredInbound> {
  return storeInboundGrouped(db, INBOX_CHANNEL, input);
}

export async function loadInbound(db: Db, id: number): Promise<(InboundRow & { processed: boolean }) | undefined> {
  const [row] = await db.select().from(channelInbound).where(eq(channelInbound.id, id));
  return row ? { id: row.id, channel: row.channel, externalId: row.externalId, payload: row.payload, attempts: row.attempts, processed: row.processedAt !== null } : undefined;
}

interface RawInboundRow {
  id: string;
  channel: OutChannel;
  external_id: string;
  payload: Record<string, unknown>;
  attempts: number;
  processed: boolean;
}

const toInboundRow = (r: RawInboundRow) => ({ id: Number(r.id), channel: r.channel, externalId: r.external_id, payload: r.payload, attempts: r.attempts, processed: r.processed });

const INBOUND_COLUMNS = 'id::text as id, channel, external_id, payload, attempts, processed_at is not null as processed';

/** Several stored rows in one round trip (the NOTIFY listener loads what it was told about at once). */
export async function loadInboundMany(db: Db, ids: number[]): Promise<(InboundRow & { processed: boolean })[]> {
  if (ids.length === 0) return [];
  const rows = await preparedRunner(db)<RawInboundRow>(`select ${INBOUND_COLUMNS} from channel_inbound where id = any($1::text::bigint[])`, [`{${ids.map((i) => Math.trunc(i)).join(',')}}`]);
  return rows.map(toInboundRow);
}

/**
 * The row if unhandled, then its chat's earlier unhandled never-attempted updates, oldest first
 * (`update_seq`: `id` here would be the text column of the select list). Exported for the plan test.
 */
export const PENDING_OF_CHAT_SQL = `select ${INBOUND_COLUMNS} from channel_inbound where id = $1::bigint and processed_at is null
     union all
     (select ${INBOUND_COLUMNS} from channel_inbound
       where pending_chat = $2::text and update_seq < $3::bigint and attempts = 0 and id <> $1::bigint
       order by update_seq limit $4::int)`;

/**
 * One Telegram row, if still unhandled, with the unhandled never-attempted updates of its chat
 * that come before it (lower update_id): what to handle, in order. One round trip per turn.
 */
export async function pendingOfChatUpTo(db: Db, rowId: number, chatId: string, updateId: number, limit = 50): Promise<{ row: InboundRow | undefined; earlier: InboundRow[] }> {
  const rows = await preparedRunner(db)<RawInboundRow>(PENDING_OF_CHAT_SQL, [rowId, chatId, updateId, limit]);
  const all = rows.map(toInboundRow);
  return { row: all.find((r) => r.id === rowId), earlier: all.filter((r) => r.id !== rowId) };
}

/** Unprocessed rows received before `before` (the recovery sweep leaves fresh rows to their handler). */
export async function pendingInbound(db: Db, channel: OutChannel, before: Date | undefined, limit = 100): Promise<InboundRow[]> {
  return db
    .select({ id: channelInbound.id, channel: channelInbound.channel, externalId: channelInbound.externalId, payload: channelInbound.payload, attempts: channelInbound.attempts })
    .from(channelInbound)
    .where(
      and(
        eq(channelInbound.channel, channel),
        isNull(channelInbound.processedAt),
        before ? lt(channelInbound.receivedAt, before) : undefined,
        lt(channelInbound.attempts, MAX_INBOUND_ATTEMPTS),
      ),
    )
    .orderBy(asc(channelInbound.id))
    .limit(limit);
}

export async function markInboundProcessed(db: Db, id: number, now: Date): Promise<void> {
  await db.update(channelInbound).set({ processedAt: now, lastError: null }).where(eq(channelInbound.id, id));
}

/** Records a failed attempt by error class or SQLSTATE only (messages may echo personal data). */
export async function markInboundFailed(db: Db, id: number, err: unknown): Promise<void> {
  const e = err as { code?: unknown; name?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'error';
  await db
    .update(channelInbound)
    .set({ attempts: sql`${channelInbound.attempts} + 1`, lastError: code.slice(0, 60) })
    .where(eq(channelInbound.id, id));
}

// ───────────── handling ─────────────

export interface ChannelContext {
  database: Database;
  i18n: I18n;
  now: () => Date;
}

/** What arrived on a channel, already parsed (core/channels). */
export type ChannelInput =
  | { kind: 'start'; code?: string }
  | { kind: 'text'; text: string }
  | { kind: 'option'; optionId: string }
  | { kind: 'contact'; phone: string; ownContact: boolean }
  | { kind: 'media'; mediaType: 'voice' | 'photo'; content: Buffer; mimeType: string; caption?: string };

export interface ChannelTurn {
  conversationId: string;
  identityId: string;
  /** Replies enqueued (or already enqueued by an earlier attempt). */
  replies: number;
}

const t = (ctx: ChannelContext, key: string, locale: string, params: Record<string, string | number> = {}) =>
  ctx.i18n.t(`channels:${key}`, { ...params, lng: locale });

/**
 * Handles one inbound event from Telegram or SMS for the address (chat id / phone number):
 * finds the conversation, runs the turn, enqueues the replies. Safe to call again for the same
 * `externalId` at any point.
 */
export async function handleChannelInput(
  ctx: ChannelContext,
  input: {
    channel: OutChannel;
    address: string;
    locale: string;
    externalId: string;
    event: ChannelInput;
    /** The stored raw update (channel_inbound) this answers: marked handled together with the turn. */
    inboundRowId?: number;
  },
): Promise<ChannelTurn> {
  const db = ctx.database.db;
  if (input.channel === 'sms') await awaitEarlierSms(db, input.externalId, input.address);
  const { conversationId, created, identity, locale: conversationLocale } = await resolveChannelConversation(db, input.channel, input.address, input.locale);
  const identityId = identity.id;
  const locale = conversationLocale ?? input.locale;
  const event = input.event;

  if (created && input.channel === 'sms') await proposePhoneLink(db, identityId, input.address, ctx.now());

  // Inputs the engine does not know (linking, contact, media, SMS keywords) are answered here.
  let special: { body: string; stored: StoredInput; effect: () => Promise<string[]>; notice?: boolean } | undefined;
  if (event.kind === 'start' && event.code) {
    const code = event.code;
    special = { body: '/start', stored: { kind: 'start' }, effect: () => linkWithCode(ctx, identityId, code, locale, created) };
  } else if (event.kind === 'contact') {
    special = { body: '', stored: { kind: 'contact', phone: event.phone }, effect: () => linkWithContact(ctx, identityId, event, locale) };
  } else if (event.kind === 'media') {
    special = {
      body: event.caption ?? '',
      stored: { kind: 'media', mediaType: event.mimeType },
      effect: () => storeMedia(ctx, conversationId, identity.personId, event, locale),
    };
  } else if (event.kind === 'text' && input.channel === 'sms') {
    const keyword = smsKeyword(event.text);
    if (keyword === 'stop') {
      special = { body: event.text, stored: { kind: 'text' }, effect: () => optOut(ctx, identityId, locale), notice: true };
    } else if (keyword === 'start' && !identity.reachable) {
      special = { body: event.text, stored: { kind: 'text' }, effect: () => optIn(ctx, identityId, locale) };
    }
  }

  if (special) {
    const stored = await appendInbound(db, conversationId, { body: special.body, input: special.stored, externalId: input.externalId });
    const [state] = await db.select({ processedAt: messages.processedAt }).from(messages).where(eq(messages.id, stored.messageId));
    if (!state?.processedAt) {
      const bodies = await special.effect();
      await replyToInbound(db, conversationId, stored.messageId, bodies, ctx.now());
    }
    const n = await enqueueReplies(db, input.channel, identity, conversationId, locale, stored.messageId, special.notice ? 'notice' : 'reply');
    if (input.inboundRowId !== undefined) await markInboundProcessed(db, input.inboundRowId, ctx.now());
    return { conversationId, identityId, replies: n };
  }

  // Engine inputs: the same use case as the web chat. The message is stored, handled, its replies
  // queued and the raw update marked handled in one transaction (the raw update is the durable copy).
  const chat = createChatDeps(ctx.database, ctx.i18n, ctx.now, {
    deliver: { channel: input.channel, address: identity.address, identityId, personId: identity.personId, purpose: 'reply' },
    ...(input.inboundRowId !== undefined ? { inboundRowId: input.inboundRowId } : {}),
  });
  let incoming: { text?: string; optionId?: string; start?: boolean } = {};
  if (event.kind === 'start') incoming = { start: true };
  else if (event.kind === 'option') incoming = { optionId: event.optionId };
  else if (event.kind === 'text') {
    incoming = { text: event.text };
    if (input.channel === 'sms') {
      const offered = await latestOptions(db, conversationId);
      const chosen = optionFromNumber(event.text, offered);
      if (chosen) incoming = { optionId: chosen.id };
      else if (smsKeyword(event.text) === 'cancel') {
        // ANNULLA leaves the current question: the "no / back to the menu" answer when offered.
        const back = offered.find((o) => /\.no$/.test(o.id));
        if (back) incoming = { optionId: back.id };
      }
    }
  }
  const turn = await receiveMessage(chat, conversationId, { ...incoming, externalId: input.externalId, together: true });
  // Handled by an earlier attempt: its replies were queued with it; this only fills any gap left
  // by older versions that queued them separately (idempotent on the reply's id).
  const n = turn.duplicate ? await enqueueReplies(db, input.channel, identity, conversationId, locale, turn.inboundId, 'reply') : turn.replies.length;
  return { conversationId, identityId, replies: n };
}

interface ResolvedRow {
  identity_id: string;
  address: string;
  person_id: string | null;
  reachable: boolean;
  conversation_id: string | null;
  locale: string | null;
}

/** The identity of a channel address and its open conversation, in one round trip. */
const RESOLVE_SQL = `
select i.id as identity_id, i.address, i.person_id, i.reachable, c.id as conversation_id, c.locale
  from channel_identities i
  left join lateral (
    select id, locale from conversations where identity_id = i.id and handling <> 'closed' order by created_at desc limit 1
  ) c on true
 where i.channel = $1::text and i.address = $2::text`;

/** Finds the identity and open conversation of an address, creating what is missing. */
async function resolveChannelConversation(db: Db, channel: OutChannel, address: string, locale: string) {
  const run = preparedRunner(db);
  let [row] = await run<ResolvedRow>(RESOLVE_SQL, [channel, address]);
  let created = false;
  if (!row?.conversation_id) {
    created = (await openChannelConversation(db, channel, address, locale)).created;
    [row] = await run<ResolvedRow>(RESOLVE_SQL, [channel, address]);
    if (!row?.conversation_id) throw new Error('channel conversation not opened');
  }
  return {
    conversationId: row.conversation_id!,
    created,
    locale: row.locale,
    identity: { id: row.identity_id, address: row.address, personId: row.person_id, reachable: row.reachable },
  };
}

/** How long an SMS waits for an earlier one from the same number that is being handled. */
const SMS_ORDER_WAIT_MS = 5000;

/**
 * SMS carry no sequence number: their order is the order we stored them. Concurrent webhooks of
 * one number would otherwise reach the conversation in whichever order their handling ran, so an
 * SMS first waits (briefly, polling) for earlier stored SMS of the same number that are still
 * being handled. One that already failed is left to the sweep: it must not hold the rest back.
 */
async function awaitEarlierSms(db: Db, externalId: string, address: string): Promise<void> {
  const [mine] = await db
    .select({ id: channelInbound.id, receivedAt: channelInbound.receivedAt })
    .from(channelInbound)
    .where(and(eq(channelInbound.channel, 'sms'), eq(channelInbound.externalId, externalId)));
  if (!mine) return;
  const deadline = Date.now() + SMS_ORDER_WAIT_MS;
  const since = new Date(mine.receivedAt.getTime() - 2 * 60_000);
  for (;;) {
    const earlier = await db
      .select({ from: sql<string | null>`${channelInbound.payload}->>'From'` })
      .from(channelInbound)
      .where(
        and(
          eq(channelInbound.channel, 'sms'),
          isNull(channelInbound.processedAt),
          lt(channelInbound.id, mine.id),
          eq(channelInbound.attempts, 0),
          gt(channelInbound.receivedAt, since),
        ),
      );
    const waiting = earlier.some((r) => r.from !== null && (normalisePhone(r.from) ?? r.from) === address);
    if (!waiting || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function openChannelConversation(db: Db, channel: OutChannel, address: string, locale: string) {
  return db.transaction(async (tx) => {
    const [inserted] = await tx.insert(channelIdentities).values({ channel, address, locale }).onConflictDoNothing().returning({ id: channelIdentities.id });
    // The identity row is the lock that serialises "is a conversation open? if not, open one" for
    // an address: a new row is locked by its insert, an existing one here. Without it, two first
    // messages handled at once (two instances, or Telegram's and the sweep's) opened two conversations.
    const identityId =
      inserted?.id ??
      (await tx.select({ id: channelIdentities.id }).from(channelIdentities).where(and(eq(channelIdentities.channel, channel), eq(channelIdentities.address, address))).for('update'))[0]!.id;
    const [existing] = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.identityId, identityId), sql`${conversations.handling} <> 'closed'`))
      .orderBy(sql`${conversations.createdAt} desc`)
      .limit(1);
    if (existing) return { conversationId: existing.id, identityId, created: false };
    const [created] = await tx.insert(conversations).values({ channel, identityId, locale }).returning({ id: conversations.id });
    return { conversationId: created!.id, identityId, created: !!inserted };
  });
}

/** Enqueues the replies caused by one inbound message (idempotent on the reply's id). */
async function enqueueReplies(
  db: Db,
  channel: OutChannel,
  identity: { id: string; address: string; personId: string | null },
  conversationId: string,
  locale: string,
  inboundId: string,
  purpose: 'reply' | 'notice',
): Promise<number> {
  const { replies } = await repliesTo(db, inboundId);
  for (const r of replies) {
    await enqueueOutbound(db, {
      channel,
      address: identity.address,
      body: r.body,
      options: r.options,
      locale,
      purpose,
      identityId: identity.id,
      personId: identity.personId,
      conversationId,
      messageId: r.id,
      dedupeKey: `msg:${r.id}`,
    });
  }
  return replies.length;
}

/** Stores replies to one inbound message and marks it handled, once (under the conversation lock). */
async function replyToInbound(db: Db, conversationId: string, inboundId: string, bodies: string[], now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.select({ id: conversations.id }).from(conversations).where(eq(conversations.id, conversationId)).for('update');
    const [inbound] = await tx.select({ processedAt: messages.processedAt }).from(messages).where(eq(messages.id, inboundId));
    if (!inbound || inbound.processedAt) return;
    for (const body of bodies) {
      const seq = await nextSeq(tx, conversationId);
      await tx.insert(messages).values({ conversationId, seq, direction: 'out', author: 'bot', body, replyTo: inboundId });
      await notify(tx, MESSAGES_CHANNEL, `${conversationId}:${seq}`);
    }
    await tx.update(messages).set({ processedAt: now, understood: { intent: 'channel' } }).where(eq(messages.id, inboundId));
  });
}

async function linkWithCode(ctx: ChannelContext, identityId: string, code: string, locale: string, created: boolean): Promise<string[]> {
  const db = ctx.database.db;
  const now = ctx.now();
  // The same check as a code typed in any chat (db/chat-link.ts): one hash, one set of attempt limits.
  const normalised = code.replace(/[\s-]/g, '').toUpperCase();
  const outcome = await db.transaction(async (tx) => {
    const [conversation] = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(eq(conversations.identityId, identityId))
      .orderBy(desc(conversations.createdAt))
      .limit(1);
    const { channel, address } = await identityAddress(tx, identityId);
    const result = await redeemLinkCode(tx, { code: normalised, conversationId: conversation?.id ?? identityId, identityId, channel, address, now });
    if (result !== 'ok') return 'invalid' as const;
    const [identity] = await tx.select({ personId: channelIdentities.personId }).from(channelIdentities).where(eq(channelIdentities.id, identityId));
    if (identity?.personId) await linkConversation(tx, identityId, identity.personId);
    return 'linked' as const;
  });
  const bodies = [t(ctx, outcome === 'linked' ? 'link.done' : 'link.invalid', locale)];
  if (created) bodies.unshift(ctx.i18n.t('chat:welcome.privacy', { lng: locale }));
  return bodies;
}

async function linkConversation(q: Queryable, identityId: string, personId: string): Promise<void> {
  const [person] = await q.select({ comuneId: people.comuneId }).from(people).where(eq(people.id, personId));
  if (person?.comuneId) {
    await q
      .update(conversations)
      .set({ comuneId: person.comuneId })
      .where(and(eq(conversations.identityId, identityId), isNull(conversations.comuneId)));
  }
}

/**
 * A shared Telegram contact links only when it is the sender's own contact and the number is the
 * one on file for exactly one person: anyone can share someone else's contact card.
 */
async function linkWithContact(ctx: ChannelContext, identityId: string, event: { phone: string; ownContact: boolean }, locale: string): Promise<string[]> {
  if (!event.ownContact) return [t(ctx, 'link.contactNotOwn', locale)];
  const phone = normalisePhone(event.phone);
  if (!phone) return [t(ctx, 'link.contactNoMatch', locale)];
  const db = ctx.database.db;
  const candidates = await db
    .select({ id: people.id, phone: people.phone })
    .from(people)
    .where(and(isNull(people.erasedAt), sql`${people.phone} is not null`, sql`right(regexp_replace(${people.phone}, '[^0-9]', '', 'g'), 9) = ${phone.slice(-9)}`));
  const matches = candidates.filter((c) => c.phone && normalisePhone(c.phone) === phone);
  if (matches.length !== 1) return [t(ctx, 'link.contactNoMatch', locale)];
  await db.transaction(async (tx) => {
    await tx.update(channelIdentities).set({ personId: matches[0]!.id }).where(eq(channelIdentities.id, identityId));
    await linkConversation(tx, identityId, matches[0]!.id);
  });
  return [t(ctx, 'link.done', locale)];
}

/**
 * A new SMS number that matches a person on file is NOT linked: a shared or recycled SIM must not
 * open someone's file. Staff get a task to confirm the link.
 */
async function proposePhoneLink(db: Db, identityId: string, address: string, now: Date): Promise<void> {
  const phone = normalisePhone(address);
  if (!phone) return;
  const candidates = await db
    .select({ id: people.id, phone: people.phone, comuneId: people.comuneId })
    .from(people)
    .where(and(isNull(people.erasedAt), sql`${people.phone} is not null`, sql`right(regexp_replace(${people.phone}, '[^0-9]', '', 'g'), 9) = ${phone.slice(-9)}`));
  for (const c of candidates.filter((x) => x.phone && normalisePhone(x.phone) === phone)) {
    await openStaffTask(db, {
      kind: 'confirm_phone_link',
      dedupeKey: `confirm_phone_link:${identityId}:${c.id}`,
      personId: c.id,
      comuneId: c.comuneId,
      subjectType: 'channel_identity',
      subjectId: identityId,
      dueAt: now,
    });
  }
}

/** Voice notes and photos become documents of the conversation and go to the staff inbox. */
async function storeMedia(
  ctx: ChannelContext,
  conversationId: string,
  personId: string | null,
  event: { mediaType: 'voice' | 'photo'; content: Buffer; mimeType: string },
  locale: string,
): Promise<string[]> {
  const db = ctx.database.db;
  const now = ctx.now();
  await db.transaction(async (tx) => {
    const [conv] = await tx.select({ comuneId: conversations.comuneId, handling: conversations.handling }).from(conversations).where(eq(conversations.id, conversationId)).for('update');
    await tx.insert(documents).values({
      personId,
      comuneId: conv?.comuneId ?? null,
      conversationId,
      type: event.mediaType,
      mediaType: event.mimeType,
      sizeBytes: event.content.length,
      sha256: createHash('sha256').update(event.content).digest('hex'),
      content: event.content,
      source: 'chat',
    });
    if (conv?.handling === 'bot') {
      await tx.update(conversations).set({ handling: 'waiting', handedOverAt: now, updatedAt: now }).where(eq(conversations.id, conversationId));
    }
  });
  return [t(ctx, 'media.received', locale)];
}

async function optOut(ctx: ChannelContext, identityId: string, locale: string): Promise<string[]> {
  await ctx.database.db.update(channelIdentities).set({ reachable: false }).where(eq(channelIdentities.id, identityId));
  return [t(ctx, 'sms.stopped', locale)];
}

async function optIn(ctx: ChannelContext, identityId: string, locale: string): Promise<string[]> {
  await ctx.database.db.update(channelIdentities).set({ reachable: true }).where(eq(channelIdentities.id, identityId));
  return [t(ctx, 'sms.restarted', locale)];
}

// ───────────── leases (one Telegram poller across instances) ─────────────

/**
 * Takes or renews the named lease for `holder` until `until`; false when another holder has it.
 * One conditional upsert: two instances racing for a free lease cannot both win.
 */
export async function acquireLease(db: Db, name: string, holder: string, now: Date, until: Date): Promise<boolean> {
  const rows = await db
    .insert(channelLeases)
    .values({ name, holder, expiresAt: until })
    .onConflictDoUpdate({
      target: channelLeases.name,
      set: { holder, expiresAt: until },
      setWhere: sql`${channelLeases.expiresAt} < ${now.toISOString()}::timestamptz or ${channelLeases.holder} = ${holder}`,
    })
    .returning({ holder: channelLeases.holder });
  return rows[0]?.holder === holder;
}

export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.delete(channelLeases).where(and(eq(channelLeases.name, name), eq(channelLeases.holder, holder)));
}
