/**
 * Queries behind the staff routes for channels (api/routes/channel-admin.ts): the outbound
 * messages of a conversation with their delivery status, staff confirmation of a phone link
 * proposed by the SMS channel (db/channel-inbox.ts proposePhoneLink), and the contacts that reach
 * a staff member for urgent alerts.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { rowsOf, type Db, type Queryable } from './client.ts';
import { outboundCounts } from './outbound.ts';
import { channelIdentities, conversations, outboundMessages, people, staffContacts, staffTasks, staffUsers } from './schema.ts';

export const PHONE_LINK_TASK = 'confirm_phone_link';

export async function conversationComune(q: Queryable, conversationId: string): Promise<{ id: string; comuneId: string | null } | undefined> {
  const [row] = await q.select({ id: conversations.id, comuneId: conversations.comuneId }).from(conversations).where(eq(conversations.id, conversationId));
  return row;
}

/** The queue rows of a conversation, oldest first (no addresses: staff need the status, not the number). */
export async function listConversationOutbound(q: Queryable, conversationId: string, limit = 500) {
  return q
    .select({
      id: outboundMessages.id,
      channel: outboundMessages.channel,
      purpose: outboundMessages.purpose,
      status: outboundMessages.status,
      attempts: outboundMessages.attempts,
      lastError: outboundMessages.lastError,
      messageId: outboundMessages.messageId,
      preview: sql<string>`left(${outboundMessages.body}, 160)`,
      createdAt: outboundMessages.createdAt,
      nextAttemptAt: outboundMessages.nextAttemptAt,
      sentAt: outboundMessages.sentAt,
    })
    .from(outboundMessages)
    .where(eq(outboundMessages.conversationId, conversationId))
    .orderBy(asc(outboundMessages.id))
    .limit(limit);
}

export async function findIdentity(q: Queryable, identityId: string) {
  const [row] = await q
    .select({ id: channelIdentities.id, channel: channelIdentities.channel, personId: channelIdentities.personId })
    .from(channelIdentities)
    .where(eq(channelIdentities.id, identityId));
  return row;
}

export type PhoneLinkOutcome = 'linked' | 'rejected' | 'no_task' | 'linked_elsewhere';

/**
 * Confirms or rejects the proposed link of an SMS identity to a person. Only a link the channel
 * proposed (an open task for this identity and person) can be confirmed: staff cannot tie an
 * arbitrary number to a file here. Confirming links the identity, gives its conversations the
 * person's comune and closes every open proposal for the identity; rejecting closes this one.
 */
export async function decidePhoneLink(
  db: Db,
  input: { identityId: string; personId: string; staffId: string; confirm: boolean; now: Date },
): Promise<PhoneLinkOutcome> {
  return db.transaction(async (tx) => {
    const [identity] = await tx.select({ personId: channelIdentities.personId }).from(channelIdentities).where(eq(channelIdentities.id, input.identityId)).for('update');
    if (!identity) return 'no_task';
    const openTask = and(eq(staffTasks.kind, PHONE_LINK_TASK), eq(staffTasks.subjectType, 'channel_identity'), eq(staffTasks.subjectId, input.identityId), eq(staffTasks.status, 'open'));
    const [task] = await tx.select({ id: staffTasks.id }).from(staffTasks).where(and(openTask, eq(staffTasks.personId, input.personId))).for('update');
    if (!task) return 'no_task';
    const done = { status: 'done' as const, doneBy: input.staffId, doneAt: input.now };
    if (!input.confirm) {
      await tx.update(staffTasks).set(done).where(eq(staffTasks.id, task.id));
      return 'rejected';
    }
    if (identity.personId && identity.personId !== input.personId) return 'linked_elsewhere';
    await tx.update(channelIdentities).set({ personId: input.personId, reachable: true }).where(eq(channelIdentities.id, input.identityId));
    const [person] = await tx.select({ comuneId: people.comuneId }).from(people).where(eq(people.id, input.personId));
    if (person?.comuneId) {
      await tx
        .update(conversations)
        .set({ comuneId: person.comuneId, updatedAt: input.now })
        .where(and(eq(conversations.identityId, input.identityId), isNull(conversations.comuneId)));
    }
    // Other candidates for the same number (two people sharing a landline) are settled too.
    await tx.update(staffTasks).set(done).where(openTask);
    return 'linked';
  });
}

export async function staffExists(q: Queryable, staffId: string): Promise<boolean> {
  const [row] = await q.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.id, staffId));
  return !!row;
}

export async function getStaffContacts(q: Queryable, staffId: string): Promise<{ telegramChatId: string | null; phone: string | null; updatedAt: Date | null }> {
  const [row] = await q
    .select({ telegramChatId: staffContacts.telegramChatId, phone: staffContacts.phone, updatedAt: staffContacts.updatedAt })
    .from(staffContacts)
    .where(eq(staffContacts.staffUserId, staffId));
  return row ?? { telegramChatId: null, phone: null, updatedAt: null };
}

export async function putStaffContacts(q: Queryable, staffId: string, input: { telegramChatId: string | null; phone: string | null }, now: Date) {
  await q
    .insert(staffContacts)
    .values({ staffUserId: staffId, telegramChatId: input.telegramChatId, phone: input.phone, updatedAt: now })
    .onConflictDoUpdate({ target: staffContacts.staffUserId, set: { telegramChatId: input.telegramChatId, phone: input.phone, updatedAt: now } });
  return getStaffContacts(q, staffId);
}

/** Counts for the admin's channel health view (and the benchmark): no row content. */
export async function channelStatus(db: Db): Promise<{ inbound: { waiting: number; handled: number; failing: number }; outbound: Record<string, number> }> {
  const [inbound] = rowsOf<{ waiting: number; handled: number; failing: number }>(
    await db.execute(sql`
      select count(*) filter (where processed_at is null and attempts = 0)::int as waiting,
             count(*) filter (where processed_at is not null)::int as handled,
             count(*) filter (where processed_at is null and attempts > 0)::int as failing
        from channel_inbound`),
  );
  return { inbound: { waiting: Number(inbound?.waiting ?? 0), handled: Number(inbound?.handled ?? 0), failing: Number(inbound?.failing ?? 0) }, outbound: await outboundCounts(db) };
}
