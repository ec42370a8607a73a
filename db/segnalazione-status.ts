/**
 * Console case actions that the citizen must hear about (issue #7): a segnalazione's triage and
 * status, an application opened ex officio from it, a chat help request confirmed for a day and
 * time or closed. The change and the message to the reporter / requester are written in one
 * transaction, under the record's row lock, so a status is never told without being saved (or
 * saved twice by two staff members at once). Messages go into the chat conversation the record
 * came from (web chat shows them live; Telegram and SMS get an outbound row, idempotent on the
 * message id like staff replies).
 */
import { and, eq, isNull } from 'drizzle-orm';
import { notify, type Queryable } from './client.ts';
import { MESSAGES_CHANNEL, nextSeq } from './conversations.ts';
import { enqueueOutbound } from './outbound.ts';
import { channelIdentities, comuni, conversations, helpRequests, messages, people, segnalazioni, type RequestStatus, type SegnalazioneStatus } from './schema.ts';

export type Urgency = 'normal' | 'high' | 'immediate';

/** Locks a segnalazione for a change; undefined when it does not exist. */
export async function lockSegnalazione(q: Queryable, id: string) {
  const [row] = await q
    .select({ id: segnalazioni.id, reference: segnalazioni.reference, status: segnalazioni.status, comuneId: segnalazioni.comuneId, conversationId: segnalazioni.conversationId, applicationId: segnalazioni.applicationId, personId: segnalazioni.personId })
    .from(segnalazioni)
    .where(eq(segnalazioni.id, id))
    .for('update');
  return row;
}

export async function updateSegnalazioneTriage(q: Queryable, id: string, set: { urgency?: Urgency; comuneId?: string }, now: Date): Promise<void> {
  await q.update(segnalazioni).set({ ...set, ...(set.urgency ? { immediateRisk: set.urgency === 'immediate' } : {}), updatedAt: now }).where(eq(segnalazioni.id, id));
}

export async function setSegnalazioneStatus(q: Queryable, id: string, status: SegnalazioneStatus, staffId: string, now: Date): Promise<void> {
  await q
    .update(segnalazioni)
    .set(status === 'taken_in_charge' ? { status, takenBy: staffId, takenAt: now, updatedAt: now } : { status, updatedAt: now })
    .where(eq(segnalazioni.id, id));
}

/** Links the ex officio application (and the person it is for) to the segnalazione; taken in charge if it was only received. */
export async function linkSegnalazioneApplication(q: Queryable, id: string, input: { personId: string; applicationId: string; staffId: string }, now: Date): Promise<void> {
  await q.update(segnalazioni).set({ personId: input.personId, applicationId: input.applicationId, updatedAt: now }).where(eq(segnalazioni.id, id));
  await q
    .update(segnalazioni)
    .set({ status: 'taken_in_charge', takenBy: input.staffId, takenAt: now })
    .where(and(eq(segnalazioni.id, id), eq(segnalazioni.status, 'received'), isNull(segnalazioni.takenBy)));
}

/** Locks a help request for a change. */
export async function lockHelpRequest(q: Queryable, id: string) {
  const [row] = await q
    .select({ id: helpRequests.id, reference: helpRequests.reference, status: helpRequests.status, comuneId: helpRequests.comuneId, conversationId: helpRequests.conversationId, personId: helpRequests.personId, assignedStaffId: helpRequests.assignedStaffId })
    .from(helpRequests)
    .where(eq(helpRequests.id, id))
    .for('update');
  return row;
}

/** Sets the agreed resource and start (kept in `requestedStart`: from now on the confirmed time) and the status. */
export async function confirmHelpRequest(q: Queryable, id: string, input: { resourceId: string; start: Date; staffId: string; keepAssignee: boolean }, now: Date): Promise<void> {
  await q
    .update(helpRequests)
    .set({ resourceId: input.resourceId, requestedStart: input.start, status: 'scheduled', ...(input.keepAssignee ? {} : { assignedStaffId: input.staffId }), updatedAt: now })
    .where(eq(helpRequests.id, id));
}

export async function setHelpRequestStatus(q: Queryable, id: string, status: RequestStatus, now: Date): Promise<void> {
  await q.update(helpRequests).set({ status, updatedAt: now }).where(eq(helpRequests.id, id));
}

/** What art. 8 needs to check a visit for this person: Sunday rule and the comune's patron day. */
export async function deliveryContext(q: Queryable, personId: string | null, comuneId: string | null): Promise<{ livesAloneWithoutFamily: boolean; patronDay: string | null }> {
  let livesAloneWithoutFamily = false;
  if (personId) {
    const [p] = await q.select({ livesAlone: people.livesAlone, familySupport: people.familySupport }).from(people).where(eq(people.id, personId));
    livesAloneWithoutFamily = p?.livesAlone === true && p.familySupport === false;
  }
  let patronDay: string | null = null;
  if (comuneId) {
    const [c] = await q.select({ patronDay: comuni.patronDay }).from(comuni).where(eq(comuni.id, comuneId));
    patronDay = c?.patronDay ?? null;
  }
  return { livesAloneWithoutFamily, patronDay };
}

/**
 * Writes a message to the person in a conversation (author `system`, the centrale speaking) in
 * the conversation's own language, and queues it for Telegram/SMS. `text` renders the sentence
 * for a locale. Returns the message id, or null when the conversation does not exist.
 * Runs inside the caller's transaction.
 */
export async function tellConversation(q: Queryable, conversationId: string, text: (locale: string) => string): Promise<string | null> {
  const [conversation] = await q
    .select({ id: conversations.id, channel: conversations.channel, locale: conversations.locale, identityId: conversations.identityId })
    .from(conversations)
    .where(eq(conversations.id, conversationId))
    .for('update');
  if (!conversation) return null;
  const body = text(conversation.locale);
  const seq = await nextSeq(q, conversationId);
  const [row] = await q.insert(messages).values({ conversationId, seq, direction: 'out', author: 'system', body }).returning({ id: messages.id });
  const messageId = row!.id;
  if (conversation.channel === 'telegram' || conversation.channel === 'sms') {
    const [identity] = await q.select({ address: channelIdentities.address, personId: channelIdentities.personId }).from(channelIdentities).where(eq(channelIdentities.id, conversation.identityId));
    if (identity) {
      await enqueueOutbound(q, {
        channel: conversation.channel,
        address: identity.address,
        body,
        locale: conversation.locale,
        purpose: 'notice',
        identityId: conversation.identityId,
        personId: identity.personId,
        conversationId,
        messageId,
        // The same key as the sweep of stored outbound messages: sent once whichever comes first.
        dedupeKey: `msg:${messageId}`,
      });
    }
  }
  await notify(q, MESSAGES_CHANNEL, `${conversationId}:${seq}`);
  return messageId;
}
