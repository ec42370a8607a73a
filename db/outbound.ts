/**
 * The durable outbound queue (own table on Postgres, see README "Telegram and SMS"): every message
 * to Telegram or SMS is a row first, then a worker sends it.
 *
 * - Enqueueing is idempotent on `dedupe_key` (a reply is keyed by its message id), so a
 *   redelivered update or a retried handler never sends a reply twice.
 * - Messages to one address leave in id order: a row is claimed only when no earlier row to the
 *   same address is still pending. Telegram's 1 message/s per chat is a claim condition too, and
 *   the 30 messages/s per bot is a token bucket in the worker.
 * - Claims use `FOR UPDATE SKIP LOCKED` and a lease (`locked_until`): several workers (instances)
 *   never take the same row, and a worker that died mid-send leaves it to be taken again.
 * - Failures retry with exponential backoff (honouring a provider's retry-after); an unreachable
 *   identity (bot blocked, number dead) falls back to the person's other channel, and staff get a
 *   task to reach the person another way.
 */
import { and, eq, inArray, ne, sql, type SQL } from 'drizzle-orm';
import { notify, rowsOf, type Db, type Queryable } from './client.ts';
import { channelIdentities, conversations, outboundMessages, people, staffTasks, type StoredOption } from './schema.ts';

export const OUTBOUND_CHANNEL = 'centrale_outbound';
export type OutChannel = 'telegram' | 'sms';

export interface EnqueueInput {
  channel: OutChannel;
  address: string;
  body: string;
  options?: StoredOption[] | null;
  locale?: string;
  purpose?: 'reply' | 'reminder' | 'alert' | 'notice';
  identityId?: string | null;
  personId?: string | null;
  staffUserId?: string | null;
  conversationId?: string | null;
  messageId?: string | null;
  dedupeKey: string;
  notBefore?: Date;
}

/** Adds a message to the queue; a second call with the same dedupe key does nothing. */
export async function enqueueOutbound(q: Queryable, input: EnqueueInput): Promise<{ id: number | undefined; duplicate: boolean }> {
  const rows = await q
    .insert(outboundMessages)
    .values({
      channel: input.channel,
      address: input.address,
      body: input.body,
      options: input.options && input.options.length > 0 ? input.options : null,
      locale: input.locale ?? 'it',
      purpose: input.purpose ?? 'reply',
      identityId: input.identityId ?? null,
      personId: input.personId ?? null,
      staffUserId: input.staffUserId ?? null,
      conversationId: input.conversationId ?? null,
      messageId: input.messageId ?? null,
      dedupeKey: input.dedupeKey,
      ...(input.notBefore ? { nextAttemptAt: input.notBefore } : {}),
    })
    .onConflictDoNothing()
    .returning({ id: outboundMessages.id });
  if (rows[0]) await notify(q, OUTBOUND_CHANNEL, input.channel);
  return { id: rows[0]?.id, duplicate: rows.length === 0 };
}

/** How far back the sweep looks for replies missing from the queue (main.ts); retention keeps rows longer. */
export const MISSING_OUTBOUND_LOOKBACK_DAYS = 2;

/**
 * Enqueues the outbound messages of Telegram and SMS conversations that are not in the queue yet
 * (staff replies written in the inbox, messages stored by other features). Idempotent.
 */
export async function enqueueMissingOutbound(db: Db, since: Date): Promise<number> {
  const result = await db.execute(sql`
    insert into outbound_messages (channel, address, identity_id, person_id, conversation_id, message_id, body, options, locale, purpose, dedupe_key)
    select c.channel, i.address, i.id, i.person_id, c.id, m.id, m.body, m.options, c.locale, 'reply', 'msg:' || m.id::text
      from messages m
      join conversations c on c.id = m.conversation_id
      join channel_identities i on i.id = c.identity_id
     where m.direction = 'out' and m.created_at >= ${since.toISOString()}::timestamptz and c.channel in ('telegram', 'sms')
    on conflict (dedupe_key) do nothing
    returning id`);
  const n = rowsOf<{ id: number }>(result).length;
  if (n > 0) await notify(db, OUTBOUND_CHANNEL, 'sweep');
  return n;
}

export interface OutboundItem {
  id: number;
  channel: OutChannel;
  address: string;
  body: string;
  options: StoredOption[] | null;
  locale: string;
  purpose: 'reply' | 'reminder' | 'alert' | 'notice';
  attempts: number;
  identityId: string | null;
  personId: string | null;
  conversationId: string | null;
  /** False when the identity is known unreachable (blocked bot, STOP, dead number). */
  reachable: boolean;
}

export type SendResult =
  | { ok: true; providerId?: string }
  | { ok: false; kind: 'retry'; code: string; retryAfterMs?: number }
  | { ok: false; kind: 'unreachable'; code: string }
  | { ok: false; kind: 'failed'; code: string };

/** One channel's way out (bot/telegram-sender.ts, api/routes/sms.ts providers). */
export interface ChannelSender {
  readonly channel: OutChannel;
  send(item: OutboundItem): Promise<SendResult>;
}

export interface OutboundWorkerOptions {
  /** Telegram: at most one message per chat per this many ms (Telegram's limit: 1 s). */
  perChatIntervalMs: number;
  /** Per sender, messages per second (Telegram: 30 per bot). */
  perSecond: Partial<Record<OutChannel, number>>;
  maxAttempts: number;
  batchSize: number;
  /** How long a claimed row stays leased to this worker. */
  leaseMs: number;
}

export const DEFAULT_OUTBOUND_OPTIONS: OutboundWorkerOptions = {
  perChatIntervalMs: 1000,
  perSecond: { telegram: 30, sms: 10 },
  maxAttempts: 8,
  batchSize: 50,
  leaseMs: 60_000,
};

/** Exponential backoff: 2 s, 4 s, 8 s … capped at 10 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(600_000, 2000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * How many of the oldest pending messages the claim looks at first: enough to hold `limit` chats
 * unless a few chats hold most of the backlog (then it looks at everything, see claimOutbound).
 */
const oldestRows = (limit: number) => Math.max(200, 8 * limit);

/**
 * The claim's statement: up to `limit` due heads (an address's oldest pending message), locked.
 * With `oldest`, the heads are looked for among that many oldest pending messages only: every
 * message older than one of them is among them too, so the first of an address there is its
 * head. Without, among all pending messages. Exported for the plan test.
 */
export function claimSql(channels: OutChannel[], now: Date, options: Pick<OutboundWorkerOptions, 'perChatIntervalMs'>, limit: number, oldest?: number): SQL {
  const chatGap = new Date(now.getTime() - options.perChatIntervalMs);
  const channelList = sql.raw(`(${channels.map((c) => `'${c}'`).join(', ')})`);
  // `now` has millisecond precision and the database's now() (a row's next_attempt_at) microseconds:
  // a message queued within the claim's own millisecond is due too, not left for the next poll.
  const at = sql`${new Date(now.getTime() + 1).toISOString()}::timestamptz`;
  const gap = sql`${chatGap.toISOString()}::timestamptz`;
  const pending = sql`
          select id, channel, address, status, next_attempt_at, locked_until
            from outbound_messages
           where channel in ${channelList} and status in ('queued', 'sending')`;
  const candidates =
    oldest === undefined
      ? pending
      : // A literal, not a parameter, so that even a generic plan knows how few rows it wants.
        sql`select * from (${pending}
           order by id
           limit ${sql.raw(String(Math.trunc(oldest)))}) oldest`;
  return sql`
    -- One message per address at a time: only an address's oldest pending message (its head) may
    -- go. Every step is a single pass, whatever the table's statistics say: after a burst of
    -- queued messages they are stale, and a per-candidate probe or join became a nested loop
    -- over the whole backlog (seconds per claim).
    with heads as (
      select distinct on (channel, address) id, channel, address, status, next_attempt_at, locked_until
        from (${candidates}) c
       order by channel, address, id),
    due as (
      select h.id from heads h
       where ((h.status = 'queued' and h.next_attempt_at <= ${at}) or (h.status = 'sending' and h.locked_until < ${at}))
         and (h.channel <> 'telegram' or (select s.id from outbound_messages s
               where s.channel = 'telegram' and s.address = h.address and s.status = 'sent' and s.sent_at > ${gap}
               limit 1) is null))
    -- The due check again on the row itself: a row another claimer took meanwhile is re-checked
    -- on its new version when the lock is granted, and skipped.
    select o.id from outbound_messages o
     where o.id = any(array(select id from due))
       and ((o.status = 'queued' and o.next_attempt_at <= ${at}) or (o.status = 'sending' and o.locked_until < ${at}))
     order by o.id
     limit ${limit}
     for update of o skip locked`;
}

/**
 * Claims due messages for the given channels, oldest first, one pending message per address.
 * At Telegram's pace of one message per chat per second a backlog piles up behind the heads, and
 * finding them among all of it took 70-180 ms per claim in the bench: the oldest messages are
 * looked at first, and everything only when they did not yield `limit` (then the statement that
 * sees everything also takes again what the first one locked).
 */
export async function claimOutbound(db: Db, channels: OutChannel[], now: Date, options: OutboundWorkerOptions, limit: number): Promise<OutboundItem[]> {
  if (channels.length === 0 || limit <= 0) return [];
  const leaseUntil = new Date(now.getTime() + options.leaseMs);
  return db.transaction(async (tx) => {
    // Walking the pending index in id order is the point, whatever the statistics say: with
    // them a burst behind (they counted a hundred pending messages where there were 15,000), the
    // planner read and sorted all of them instead. For this transaction only.
    await tx.execute(sql`select set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)`);
    let picked = rowsOf<{ id: number }>(await tx.execute(claimSql(channels, now, options, limit, oldestRows(limit))));
    if (picked.length < limit) {
      await tx.execute(sql`select set_config('enable_bitmapscan', 'on', true), set_config('enable_seqscan', 'on', true)`);
      picked = rowsOf<{ id: number }>(await tx.execute(claimSql(channels, now, options, limit)));
    }
    if (picked.length === 0) return [];
    const ids = picked.map((p) => Number(p.id));
    const rows = await tx
      .update(outboundMessages)
      .set({ status: 'sending', lockedUntil: leaseUntil, attempts: sql`${outboundMessages.attempts} + 1`, updatedAt: now })
      .where(inArray(outboundMessages.id, ids))
      .returning();
    const identityIds = rows.map((r) => r.identityId).filter((x): x is string => !!x);
    const reachable = new Map<string, boolean>();
    if (identityIds.length > 0) {
      for (const i of await tx
        .select({ id: channelIdentities.id, reachable: channelIdentities.reachable })
        .from(channelIdentities)
        .where(inArray(channelIdentities.id, identityIds))) {
        reachable.set(i.id, i.reachable);
      }
    }
    return rows
      .sort((a, b) => a.id - b.id)
      .map((r) => ({
        id: r.id,
        channel: r.channel,
        address: r.address,
        body: r.body,
        options: r.options,
        locale: r.locale,
        purpose: r.purpose,
        attempts: r.attempts,
        identityId: r.identityId,
        personId: r.personId,
        conversationId: r.conversationId,
        reachable: r.identityId ? (reachable.get(r.identityId) ?? true) : true,
      }));
  });
}

/** Opens a staff task once (dedupe key), in the comune of the person or the conversation. */
export async function openStaffTask(
  q: Queryable,
  task: { kind: string; dedupeKey: string; personId?: string | null; conversationId?: string | null; subjectType?: string; subjectId?: string; comuneId?: string | null; dueAt?: Date },
): Promise<boolean> {
  let comuneId = task.comuneId ?? null;
  if (!comuneId && task.personId) {
    comuneId = (await q.select({ c: people.comuneId }).from(people).where(eq(people.id, task.personId)))[0]?.c ?? null;
  }
  if (!comuneId && task.conversationId) {
    comuneId = (await q.select({ c: conversations.comuneId }).from(conversations).where(eq(conversations.id, task.conversationId)))[0]?.c ?? null;
  }
  const rows = await q
    .insert(staffTasks)
    .values({
      kind: task.kind,
      comuneId,
      personId: task.personId ?? null,
      subjectType: task.subjectType ?? (task.conversationId ? 'conversation' : null),
      subjectId: task.subjectId ?? task.conversationId ?? null,
      dedupeKey: task.dedupeKey,
      dueAt: task.dueAt ?? null,
    })
    .onConflictDoNothing()
    .returning({ id: staffTasks.id });
  return rows.length > 0;
}

/**
 * The message could not reach this identity: mark it unreachable, ask staff to reach the person
 * another way, and re-send on the person's other channel when there is one.
 */
export async function handleUnreachable(db: Db, item: OutboundItem, code: string, now: Date): Promise<'fallback' | 'undelivered'> {
  return db.transaction(async (tx) => {
    if (item.identityId) {
      await tx.update(channelIdentities).set({ reachable: false }).where(eq(channelIdentities.id, item.identityId));
    }
    await openStaffTask(tx, {
      kind: 'unreachable_identity',
      dedupeKey: `unreachable:${item.identityId ?? `${item.channel}:${item.address}`}`,
      personId: item.personId,
      conversationId: item.conversationId,
      subjectType: 'channel_identity',
      ...(item.identityId ? { subjectId: item.identityId } : {}),
      dueAt: now,
    });
    let status: 'fallback' | 'undelivered' = 'undelivered';
    if (item.personId) {
      const [other] = await tx
        .select({ id: channelIdentities.id, channel: channelIdentities.channel, address: channelIdentities.address, locale: channelIdentities.locale })
        .from(channelIdentities)
        .where(
          and(
            eq(channelIdentities.personId, item.personId),
            eq(channelIdentities.reachable, true),
            ne(channelIdentities.channel, item.channel),
            inArray(channelIdentities.channel, ['telegram', 'sms']),
          ),
        )
        .orderBy(channelIdentities.createdAt)
        .limit(1);
      if (other) {
        await enqueueOutbound(tx, {
          channel: other.channel as OutChannel,
          address: other.address,
          body: item.body,
          options: item.options,
          locale: item.locale,
          purpose: item.purpose,
          identityId: other.id,
          personId: item.personId,
          conversationId: item.conversationId,
          dedupeKey: `fallback:${item.id}`,
        });
        status = 'fallback';
      }
    }
    await tx.update(outboundMessages).set({ status, lastError: code, lockedUntil: null, updatedAt: now }).where(eq(outboundMessages.id, item.id));
    return status;
  });
}

async function finish(db: Db, item: OutboundItem, result: SendResult, now: Date, options: OutboundWorkerOptions): Promise<void> {
  if (result.ok) {
    await db
      .update(outboundMessages)
      .set({ status: 'sent', sentAt: now, providerId: result.providerId ?? null, lockedUntil: null, lastError: null, updatedAt: now })
      .where(eq(outboundMessages.id, item.id));
    return;
  }
  if (result.kind === 'unreachable') {
    await handleUnreachable(db, item, result.code, now);
    return;
  }
  if (result.kind === 'retry' && item.attempts < options.maxAttempts) {
    const wait = Math.max(result.retryAfterMs ?? 0, backoffMs(item.attempts));
    await db
      .update(outboundMessages)
      .set({ status: 'queued', nextAttemptAt: new Date(now.getTime() + wait), lockedUntil: null, lastError: result.code, updatedAt: now })
      .where(eq(outboundMessages.id, item.id));
    return;
  }
  await db.transaction(async (tx) => {
    await tx.update(outboundMessages).set({ status: 'failed', lockedUntil: null, lastError: result.code, updatedAt: now }).where(eq(outboundMessages.id, item.id));
    await openStaffTask(tx, {
      kind: 'outbound_failed',
      dedupeKey: `outbound_failed:${item.id}`,
      personId: item.personId,
      conversationId: item.conversationId,
      subjectType: 'outbound_message',
      subjectId: String(item.id),
      dueAt: now,
    });
  });
}

/** Shortest time between two claims of a channel while less than half its send rate is left. */
const CLAIM_GAP_MS = 500;

/** A token bucket per channel, for the per-bot (per-account) send rate of this instance. */
class Bucket {
  private tokens: number;
  private last: number;
  constructor(private readonly perSecond: number, now: number) {
    this.tokens = perSecond;
    this.last = now;
  }
  take(now: number): boolean {
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
  available(now: number): number {
    return Math.floor(Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond));
  }
}

export interface OutboundWorker {
  /** Sends what is due now; returns how many rows it handled. */
  tick(): Promise<number>;
  /** Runs until stopped: on NOTIFY and every `pollMs`. */
  start(pollMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function createOutboundWorker(
  database: { db: Db; listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>> },
  senders: ChannelSender[],
  deps: { now: () => Date; onError?: (err: unknown, itemId: number) => void },
  overrides: Partial<OutboundWorkerOptions> = {},
): OutboundWorker {
  const options = { ...DEFAULT_OUTBOUND_OPTIONS, ...overrides };
  const byChannel = new Map(senders.map((s) => [s.channel, s]));
  const buckets = new Map(senders.map((s) => [s.channel, new Bucket(options.perSecond[s.channel] ?? 10, Date.now())]));
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let unlisten: (() => Promise<void>) | undefined;

  /**
   * A send that happened must be recorded, or the row is sent again when its lease runs out: while
   * the database is unreachable, retry for as long as the lease lasts.
   */
  async function recordOutcome(item: OutboundItem, result: SendResult): Promise<void> {
    const giveUpAt = Date.now() + options.leaseMs - 5000;
    for (let wait = 250, failures = 0; ; wait = Math.min(wait * 2, 2000), failures++) {
      try {
        await finish(database.db, item, result, deps.now(), options);
        return;
      } catch (err) {
        if (stopped || Date.now() + wait > giveUpAt) throw err;
        if (failures === 0) deps.onError?.(err, item.id);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  const lastClaim = new Map<OutChannel, number>();
  async function once(): Promise<number> {
    let handled = 0;
    for (const sender of senders) {
      const bucket = buckets.get(sender.channel)!;
      const room = Math.min(options.batchSize, bucket.available(Date.now()));
      // At the send-rate limit every NOTIFY found room for one or two messages, and each claim
      // reads the backlog's heads: then claim at most every CLAIM_GAP_MS, for half a second's
      // worth at once (two claims a second at Telegram's 30/s, not five). Below the limit the
      // bucket is at least half full and a reply still leaves at once.
      const full = Math.min(options.batchSize, options.perSecond[sender.channel] ?? 10);
      if (room < Math.max(1, Math.floor(full / 2)) && Date.now() - (lastClaim.get(sender.channel) ?? 0) < CLAIM_GAP_MS) continue;
      lastClaim.set(sender.channel, Date.now());
      const items = await claimOutbound(database.db, [sender.channel], deps.now(), options, room);
      await Promise.all(
        groupByAddress(items).map(async (group) => {
          for (const item of group) {
            const now = deps.now();
            if (!item.reachable && item.purpose !== 'notice') {
              await handleUnreachable(database.db, item, 'identity_unreachable', now);
            } else {
              bucket.take(Date.now());
              let result: SendResult;
              try {
                result = await byChannel.get(item.channel)!.send(item);
              } catch (err) {
                deps.onError?.(err, item.id);
                result = { ok: false, kind: 'retry', code: 'sender_error' };
              }
              await recordOutcome(item, result);
            }
            handled += 1;
          }
        }),
      );
    }
    return handled;
  }

  const tick = async (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    let total = 0;
    running = (async () => {
      try {
        do {
          again = false;
          const n = await once();
          total += n;
          if (n > 0) again = true; // there may be more (the next message of a chat)
          if (n > 0 && options.perChatIntervalMs > 0) break; // let the timer pace per-chat sends
        } while (again && !stopped);
        return total;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const schedule = (pollMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      tick()
        .catch((err) => deps.onError?.(err, 0))
        .finally(() => schedule(pollMs));
    }, pollMs);
    timer.unref?.();
  };

  return {
    tick,
    async start(pollMs = 250) {
      stopped = false;
      unlisten = await database.listen(OUTBOUND_CHANNEL, () => {
        tick().catch((err) => deps.onError?.(err, 0));
      });
      schedule(pollMs);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await unlisten?.();
      await running?.catch(() => undefined);
    },
  };
}

function groupByAddress(items: OutboundItem[]): OutboundItem[][] {
  const groups = new Map<string, OutboundItem[]>();
  for (const item of items) {
    const key = `${item.channel}:${item.address}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()];
}

/** A provider's delivery report: undelivered or failed → staff task to reach the person. */
export async function recordDeliveryStatus(db: Db, providerId: string, status: string, now: Date): Promise<'updated' | 'unknown'> {
  const [row] = await db.select().from(outboundMessages).where(eq(outboundMessages.providerId, providerId)).limit(1);
  if (!row) return 'unknown';
  if (status === 'undelivered' || status === 'failed') {
    await db.transaction(async (tx) => {
      await tx.update(outboundMessages).set({ status: 'undelivered', lastError: `provider_${status}`, updatedAt: now }).where(eq(outboundMessages.id, row.id));
      await openStaffTask(tx, {
        kind: 'sms_undelivered',
        dedupeKey: `sms_undelivered:${row.id}`,
        personId: row.personId,
        conversationId: row.conversationId,
        subjectType: 'outbound_message',
        subjectId: String(row.id),
        dueAt: now,
      });
    });
  }
  return 'updated';
}

/** Status of the queue (for tests and the readiness view): counts by channel and status. */
export async function outboundCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .select({ channel: outboundMessages.channel, status: outboundMessages.status, n: sql<number>`count(*)::int` })
    .from(outboundMessages)
    .groupBy(outboundMessages.channel, outboundMessages.status);
  return Object.fromEntries(rows.map((r) => [`${r.channel}:${r.status}`, Number(r.n)]));
}
