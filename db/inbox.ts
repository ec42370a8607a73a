/**
 * The staff inbox (issue #7): conversations handed to a human, their transcript, staff replies,
 * assignment, internal notes and canned replies.
 *
 * Scope: a conversation belongs to `conversations.comune_id` (the linked person's comune, set by
 * the engine). Admins see every conversation; operators see their comuni's and those with no
 * comune yet (a person not linked); social workers see their comuni's only.
 *
 * Every write here NOTIFYs `centrale_inbox` with the conversation id, inside its transaction, so
 * every instance's open consoles refresh (together with `centrale_messages` for new messages).
 */
import { and, asc, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { notify, type Db, type Queryable } from './client.ts';
import { enqueueOutbound } from './outbound.ts';
import {
  cannedReplies,
  channelIdentities,
  conversationNotes,
  conversations,
  messages,
  staffSessions,
  staffUserComuni,
  staffUserResources,
  staffUsers,
  type Channel,
  type Handling,
} from './schema.ts';
import type { StaffIdentity } from './staff.ts';

/** NOTIFY channel of inbox changes (assignment, resolution, notes); payload: the conversation id. */
export const INBOX_CHANNEL = 'centrale_inbox';
/** First-response target: a human answers within this many minutes of the handover. */
export const FIRST_RESPONSE_TARGET_MINUTES = 15;

export type InboxView = 'unassigned' | 'mine' | 'all';
/** Roles that work the inbox. */
export const INBOX_ROLES = ['admin', 'operator', 'social_worker'] as const;

/** SQL condition limiting `conversations` rows to what the staff member may see. */
export function conversationScope(staff: StaffIdentity): SQL {
  if (staff.role === 'admin') return sql`true`;
  const inComuni = staff.comuni.length ? inArray(conversations.comuneId, staff.comuni) : sql`false`;
  if (staff.role === 'operator') return or(inComuni, isNull(conversations.comuneId))!;
  if (staff.role === 'social_worker') return inComuni;
  return sql`false`;
}

export function canSeeConversation(staff: Pick<StaffIdentity, 'role' | 'comuni'>, comuneId: string | null): boolean {
  if (staff.role === 'admin') return true;
  if (staff.role === 'operator') return comuneId === null || staff.comuni.includes(comuneId);
  if (staff.role === 'social_worker') return comuneId !== null && staff.comuni.includes(comuneId);
  return false;
}

const firstResponseAt = sql<Date | null>`(select min(m.created_at) from messages m where m.conversation_id = ${conversations.id} and m.author = 'staff' and m.created_at >= ${conversations.handedOverAt})`.mapWith(
  (v: unknown) => (v === null || v === undefined ? null : new Date(v as string)),
);
const lastMessageAt = sql<Date | null>`(select max(m.created_at) from messages m where m.conversation_id = ${conversations.id})`.mapWith(
  (v: unknown) => (v === null || v === undefined ? null : new Date(v as string)),
);
const preview = sql<string | null>`(select left(m.body, 160) from messages m where m.conversation_id = ${conversations.id} and m.author = 'person' order by m.seq desc limit 1)`;

const summaryColumns = {
  id: conversations.id,
  channel: conversations.channel,
  handling: conversations.handling,
  urgent: conversations.urgent,
  comuneId: conversations.comuneId,
  locale: conversations.locale,
  assignedStaffId: conversations.assignedStaffId,
  assignedStaffName: staffUsers.displayName,
  handedOverAt: conversations.handedOverAt,
  firstResponseAt,
  lastMessageAt,
  preview,
};

export interface InboxSummary {
  id: string;
  channel: Channel;
  handling: Handling;
  urgent: boolean;
  comuneId: string | null;
  locale: string;
  assignedStaffId: string | null;
  assignedStaffName: string | null;
  handedOverAt: Date | null;
  firstResponseAt: Date | null;
  firstResponseDueAt: Date | null;
  lastMessageAt: Date | null;
  preview: string | null;
}

function withDue<T extends { handedOverAt: Date | null }>(row: T): T & { firstResponseDueAt: Date | null } {
  return { ...row, firstResponseDueAt: row.handedOverAt ? new Date(row.handedOverAt.getTime() + FIRST_RESPONSE_TARGET_MINUTES * 60_000) : null };
}

/** The inbox: conversations waiting for or handled by a human, urgent first, then oldest handover first. */
export async function listInbox(q: Queryable, staff: StaffIdentity, view: InboxView, limit: number): Promise<InboxSummary[]> {
  const conditions = [inArray(conversations.handling, ['waiting', 'human']), conversationScope(staff)];
  if (view === 'unassigned') conditions.push(isNull(conversations.assignedStaffId));
  if (view === 'mine') conditions.push(eq(conversations.assignedStaffId, staff.id));
  const rows = await q
    .select(summaryColumns)
    .from(conversations)
    .leftJoin(staffUsers, eq(staffUsers.id, conversations.assignedStaffId))
    .where(and(...conditions))
    .orderBy(desc(conversations.urgent), sql`${conversations.handedOverAt} asc nulls last`, asc(conversations.id))
    .limit(limit);
  return rows.map(withDue);
}

export async function findConversation(q: Queryable, conversationId: string): Promise<InboxSummary | undefined> {
  const [row] = await q
    .select(summaryColumns)
    .from(conversations)
    .leftJoin(staffUsers, eq(staffUsers.id, conversations.assignedStaffId))
    .where(eq(conversations.id, conversationId));
  return row ? withDue(row) : undefined;
}

export interface TranscriptMessage {
  id: string;
  seq: number;
  direction: 'in' | 'out';
  author: 'person' | 'bot' | 'staff' | 'system';
  body: string;
  staffUserId: string | null;
  staffName: string | null;
  createdAt: Date;
}

export async function transcript(q: Queryable, conversationId: string, limit = 1000): Promise<TranscriptMessage[]> {
  return q
    .select({
      id: messages.id,
      seq: messages.seq,
      direction: messages.direction,
      author: messages.author,
      body: messages.body,
      staffUserId: messages.staffUserId,
      staffName: staffUsers.displayName,
      createdAt: messages.createdAt,
    })
    .from(messages)
    .leftJoin(staffUsers, eq(staffUsers.id, messages.staffUserId))
    .where(eq(messages.conversationId, conversationId))
    .orderBy(asc(messages.seq))
    .limit(limit);
}

export async function listNotes(q: Queryable, conversationId: string) {
  return q
    .select({ id: conversationNotes.id, body: conversationNotes.body, staffUserId: conversationNotes.staffUserId, staffName: staffUsers.displayName, createdAt: conversationNotes.createdAt })
    .from(conversationNotes)
    .innerJoin(staffUsers, eq(staffUsers.id, conversationNotes.staffUserId))
    .where(eq(conversationNotes.conversationId, conversationId))
    .orderBy(asc(conversationNotes.createdAt), asc(conversationNotes.id));
}

/** Locks the conversation row (FOR UPDATE) and returns what the inbox writes need. */
async function lockForInbox(q: Queryable, conversationId: string) {
  const [row] = await q
    .select({ id: conversations.id, handling: conversations.handling, comuneId: conversations.comuneId, assignedStaffId: conversations.assignedStaffId, channel: conversations.channel, locale: conversations.locale, identityId: conversations.identityId })
    .from(conversations)
    .where(eq(conversations.id, conversationId))
    .for('update');
  return row;
}

/**
 * After a staff reply (stored by db/conversations.ts appendOutbound): the conversation is handled
 * by a human, assigned to the replier when nobody had it, and a Telegram/SMS reply is enqueued at
 * once (same dedupe key as the periodic sweep, so it is never sent twice).
 */
export async function afterStaffReply(db: Db, input: { conversationId: string; messageId: string; body: string; staffId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await lockForInbox(tx, input.conversationId);
    if (!row) return;
    await tx
      .update(conversations)
      .set({ handling: 'human', assignedStaffId: row.assignedStaffId ?? input.staffId, updatedAt: sql`now()` })
      .where(eq(conversations.id, input.conversationId));
    if (row.channel === 'telegram' || row.channel === 'sms') {
      const [identity] = await tx
        .select({ address: channelIdentities.address, personId: channelIdentities.personId })
        .from(channelIdentities)
        .where(eq(channelIdentities.id, row.identityId));
      if (identity) {
        await enqueueOutbound(tx, {
          channel: row.channel,
          address: identity.address,
          body: input.body,
          locale: row.locale,
          purpose: 'reply',
          identityId: row.identityId,
          personId: identity.personId,
          conversationId: input.conversationId,
          messageId: input.messageId,
          dedupeKey: `msg:${input.messageId}`,
        });
      }
    }
    await notify(tx, INBOX_CHANNEL, input.conversationId);
  });
}

/** Sets who handles the conversation; a waiting conversation becomes 'human'. */
export async function assignConversation(db: Db, conversationId: string, staffId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await lockForInbox(tx, conversationId);
    if (!row) return;
    await tx
      .update(conversations)
      .set({ assignedStaffId: staffId, handling: row.handling === 'waiting' ? 'human' : row.handling, updatedAt: sql`now()` })
      .where(eq(conversations.id, conversationId));
    await notify(tx, INBOX_CHANNEL, conversationId);
  });
}

/** Resolve ('closed') or hand back to the bot ('bot'): leaves the inbox, urgency cleared. */
export async function setHandling(db: Db, conversationId: string, handling: 'closed' | 'bot'): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await lockForInbox(tx, conversationId);
    if (!row) return;
    await tx
      .update(conversations)
      .set({ handling, urgent: false, assignedStaffId: null, updatedAt: sql`now()` })
      .where(eq(conversations.id, conversationId));
    await notify(tx, INBOX_CHANNEL, conversationId);
  });
}

export async function addNote(db: Db, input: { conversationId: string; staffId: string; body: string }) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(conversationNotes)
      .values({ conversationId: input.conversationId, staffUserId: input.staffId, body: input.body })
      .returning({ id: conversationNotes.id, createdAt: conversationNotes.createdAt });
    await notify(tx, INBOX_CHANNEL, input.conversationId);
    return row!;
  });
}

/** An active inbox staff member, with their comuni (for assignment checks). */
export async function findAssignee(q: Queryable, staffId: string): Promise<{ id: string; role: StaffIdentity['role']; comuni: string[] } | undefined> {
  const [user] = await q
    .select({ id: staffUsers.id, role: staffUsers.role, active: staffUsers.active })
    .from(staffUsers)
    .where(eq(staffUsers.id, staffId));
  if (!user || !user.active) return undefined;
  const comuni = await q.select({ comuneId: staffUserComuni.comuneId }).from(staffUserComuni).where(eq(staffUserComuni.userId, staffId));
  return { id: user.id, role: user.role, comuni: comuni.map((c) => c.comuneId) };
}

/** Staff members a conversation of this comune may be assigned to. */
export async function listAssignees(q: Queryable, comuneId: string | null) {
  const rows = await q
    .select({ id: staffUsers.id, displayName: staffUsers.displayName, role: staffUsers.role, comuni: sql<string[]>`coalesce(array_agg(${staffUserComuni.comuneId}) filter (where ${staffUserComuni.comuneId} is not null), '{}')` })
    .from(staffUsers)
    .leftJoin(staffUserComuni, eq(staffUserComuni.userId, staffUsers.id))
    .where(and(eq(staffUsers.active, true), inArray(staffUsers.role, [...INBOX_ROLES])))
    .groupBy(staffUsers.id)
    .orderBy(asc(staffUsers.displayName));
  return rows.filter((r) => canSeeConversation({ role: r.role, comuni: r.comuni ?? [] }, comuneId)).map(({ id, displayName, role }) => ({ id, displayName, role }));
}

// ── Canned replies ──

export async function listCannedReplies(q: Queryable, staff: StaffIdentity, comuneId?: string) {
  const scope =
    staff.role === 'admin' ? sql`true` : or(isNull(cannedReplies.comuneId), staff.comuni.length ? inArray(cannedReplies.comuneId, staff.comuni) : sql`false`)!;
  const only = comuneId === undefined ? sql`true` : or(isNull(cannedReplies.comuneId), eq(cannedReplies.comuneId, comuneId))!;
  return q
    .select({ id: cannedReplies.id, comuneId: cannedReplies.comuneId, title: cannedReplies.title, body: cannedReplies.body })
    .from(cannedReplies)
    .where(and(scope, only))
    .orderBy(sql`${cannedReplies.comuneId} asc nulls first`, asc(cannedReplies.title), asc(cannedReplies.id))
    .limit(500);
}

export async function createCannedReply(q: Queryable, input: { comuneId: string | null; title: string; body: string; createdBy: string }) {
  const [row] = await q
    .insert(cannedReplies)
    .values(input)
    .returning({ id: cannedReplies.id, comuneId: cannedReplies.comuneId, title: cannedReplies.title, body: cannedReplies.body });
  return row!;
}

export async function deleteCannedReply(q: Queryable, id: string): Promise<boolean> {
  const rows = await q.delete(cannedReplies).where(eq(cannedReplies.id, id)).returning({ id: cannedReplies.id });
  return rows.length > 0;
}

/** What a live-update filter needs to know about a conversation. */
export async function conversationScopeInfo(q: Queryable, conversationId: string) {
  const [row] = await q
    .select({ comuneId: conversations.comuneId, handling: conversations.handling, urgent: conversations.urgent })
    .from(conversations)
    .where(eq(conversations.id, conversationId));
  return row;
}

/**
 * The staff member behind a console page's session cookie (keyed hash), or undefined when the
 * session is missing, idle since `idleSince`, expired or the account inactive. The /api/*
 * middleware does the same for the API; pages under /staff need it too.
 */
export async function findConsoleStaff(q: Queryable, sessionKey: string, now: Date, idleSince: Date): Promise<StaffIdentity | undefined> {
  const [row] = await q
    .select({
      id: staffUsers.id,
      username: staffUsers.username,
      role: staffUsers.role,
      displayName: staffUsers.displayName,
      comuni: sql<string[]>`array(select ${staffUserComuni.comuneId} from ${staffUserComuni} where ${staffUserComuni.userId} = ${staffUsers.id} order by 1)`,
      resources: sql<string[]>`array(select ${staffUserResources.resourceId}::text from ${staffUserResources} where ${staffUserResources.userId} = ${staffUsers.id} order by 1)`,
    })
    .from(staffSessions)
    .innerJoin(staffUsers, eq(staffUsers.id, staffSessions.userId))
    .where(
      and(
        eq(staffSessions.id, sessionKey),
        eq(staffUsers.active, true),
        sql`${staffSessions.expiresAt} > ${now.toISOString()}::timestamptz`,
        sql`${staffSessions.lastSeenAt} > ${idleSince.toISOString()}::timestamptz`,
      ),
    );
  if (!row) return undefined;
  return { ...row, comuni: Array.isArray(row.comuni) ? row.comuni : [], resources: row.role === 'provider' && Array.isArray(row.resources) ? row.resources : [] };
}
