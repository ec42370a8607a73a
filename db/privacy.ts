/**
 * GDPR: everything held about one person (art. 15/20 export) and the erasure of their personal
 * data (art. 17). Accounting (voucher ledger, fee statements, payments), scores and the audit log
 * refer to the person by id only, so erasure wipes identity and content and leaves the books whole.
 */
import { and, asc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { recordAudit } from './audit.ts';
import type { Db, Queryable } from './client.ts';
import {
  accessRecordChanges,
  applicationDetails,
  applications,
  applicationStatusHistory,
  assessments,
  caseEvents,
  channelIdentities,
  channelInbound,
  consents,
  conversationNotes,
  conversations,
  delegations,
  documents,
  evaluations,
  feeStatements,
  helpRequests,
  messages,
  outboundMessages,
  payments,
  people,
  programmes,
  programmeSuspensions,
  questionnaireResponses,
  segnalazioni,
  visits,
  voucherLedger,
} from './schema.ts';
import { checkinEnrolments, checkinOccurrences } from './schema-checkins.ts';
import { programmeFamilyAssistants, volunteerRedemptions } from './schema-community.ts';

/** What an erased person's names become: the row stays so that ids in the books still resolve. */
export const ERASED_NAME = '[cancellato]';
/** Programmes in these states still move the ledger: erasure waits until they are over. */
export const OPEN_PROGRAMME_STATUSES = ['planned', 'active', 'suspended'] as const;

/** The ids of a person's conversations (through their channel identities). */
async function conversationIdsOf(q: Queryable, identityIds: string[]): Promise<string[]> {
  if (identityIds.length === 0) return [];
  const rows = await q.select({ id: conversations.id }).from(conversations).where(inArray(conversations.identityId, identityIds));
  return rows.map((r) => r.id);
}

/** Everything held about one person, as plain rows (document contents excluded: metadata only). */
export async function exportPerson(q: Queryable, personId: string) {
  const [profile] = await q.select().from(people).where(eq(people.id, personId));
  if (!profile) return undefined;
  const identities = await q.select().from(channelIdentities).where(eq(channelIdentities.personId, personId));
  const conversationIds = await conversationIdsOf(q, identities.map((i) => i.id));
  const convs = conversationIds.length ? await q.select().from(conversations).where(inArray(conversations.id, conversationIds)) : [];
  const msgs = conversationIds.length
    ? await q
        .select({ id: messages.id, conversationId: messages.conversationId, seq: messages.seq, direction: messages.direction, author: messages.author, body: messages.body, options: messages.options, createdAt: messages.createdAt })
        .from(messages)
        .where(inArray(messages.conversationId, conversationIds))
        .orderBy(asc(messages.conversationId), asc(messages.seq))
    : [];
  const apps = await q.select().from(applications).where(eq(applications.personId, personId));
  const appIds = apps.map((a) => a.id);
  const progs = await q.select().from(programmes).where(eq(programmes.personId, personId));
  const progIds = progs.map((p) => p.id);
  const statements = await q.select().from(feeStatements).where(eq(feeStatements.personId, personId));
  const statementIds = statements.map((s) => s.id);
  const byApp = <T>(f: () => Promise<T[]>) => (appIds.length ? f() : Promise.resolve([] as T[]));
  const byProg = <T>(f: () => Promise<T[]>) => (progIds.length ? f() : Promise.resolve([] as T[]));
  return {
    profile,
    delegations: {
      /** People who act for this person. */
      delegates: await q.select().from(delegations).where(eq(delegations.personId, personId)),
      /** People this person acts for. */
      delegatedFor: await q.select().from(delegations).where(eq(delegations.delegatePersonId, personId)),
    },
    consents: await q.select().from(consents).where(eq(consents.personId, personId)),
    identities,
    conversations: convs.map((c) => ({ ...c, messages: msgs.filter((m) => m.conversationId === c.id) })),
    applications: apps,
    applicationDetails: await byApp(() => q.select().from(applicationDetails).where(inArray(applicationDetails.applicationId, appIds))),
    applicationHistory: await byApp(() => q.select().from(applicationStatusHistory).where(inArray(applicationStatusHistory.applicationId, appIds))),
    assessments: await byApp(() => q.select().from(assessments).where(inArray(assessments.applicationId, appIds))),
    accessRecordChanges: await q.select().from(accessRecordChanges).where(eq(accessRecordChanges.personId, personId)),
    programmes: progs,
    suspensions: await byProg(() => q.select().from(programmeSuspensions).where(inArray(programmeSuspensions.programmeId, progIds))),
    evaluations: await byProg(() => q.select().from(evaluations).where(inArray(evaluations.programmeId, progIds))),
    questionnaires: await byProg(() => q.select().from(questionnaireResponses).where(inArray(questionnaireResponses.programmeId, progIds))),
    visits: await byProg(() => q.select().from(visits).where(inArray(visits.programmeId, progIds)).orderBy(asc(visits.startsAt))),
    ledger: await byProg(() => q.select().from(voucherLedger).where(inArray(voucherLedger.programmeId, progIds)).orderBy(asc(voucherLedger.id))),
    feeStatements: statements,
    payments: statementIds.length ? await q.select().from(payments).where(inArray(payments.statementId, statementIds)) : [],
    documents: await q
      .select({ id: documents.id, type: documents.type, mediaType: documents.mediaType, filename: documents.filename, sizeBytes: documents.sizeBytes, sha256: documents.sha256, source: documents.source, applicationId: documents.applicationId, createdAt: documents.createdAt })
      .from(documents)
      .where(conversationIds.length ? or(eq(documents.personId, personId), inArray(documents.conversationId, conversationIds)) : eq(documents.personId, personId)),
    helpRequests: await q.select().from(helpRequests).where(or(eq(helpRequests.personId, personId), eq(helpRequests.requesterPersonId, personId))),
    segnalazioni: await q.select().from(segnalazioni).where(eq(segnalazioni.personId, personId)),
    caseEvents: await q.select().from(caseEvents).where(eq(caseEvents.personId, personId)),
    checkinEnrolments: await q.select().from(checkinEnrolments).where(eq(checkinEnrolments.personId, personId)),
    checkinOccurrences: await q.select().from(checkinOccurrences).where(eq(checkinOccurrences.personId, personId)),
    familyAssistants: await byProg(() => q.select().from(programmeFamilyAssistants).where(inArray(programmeFamilyAssistants.programmeId, progIds))),
    volunteerRedemptions: await byProg(() => q.select().from(volunteerRedemptions).where(inArray(volunteerRedemptions.programmeId, progIds))),
  };
}

export type PersonExport = NonNullable<Awaited<ReturnType<typeof exportPerson>>>;

export type ErasureResult =
  | { outcome: 'erased'; comuneId: string | null; counts: Record<string, number> }
  | { outcome: 'not_found' }
  | { outcome: 'open_programme'; programmeIds: string[] };

/**
 * Erases a person's personal data in one transaction (the person row and their programmes are
 * locked first, so a programme cannot be activated meanwhile). Kept: ids, dates, scores,
 * statuses, the ledger, fee statements, payments, consents' dates (proof of lawful processing)
 * and the audit log.
 */
export async function erasePerson(db: Db, personId: string, now: Date, actor: { staffId: string; requestId?: string }): Promise<ErasureResult> {
  return db.transaction(async (tx) => {
    const [person] = await tx.select({ id: people.id, comuneId: people.comuneId }).from(people).where(and(eq(people.id, personId), isNull(people.erasedAt))).for('update');
    if (!person) return { outcome: 'not_found' } as const;
    const progs = await tx.select({ id: programmes.id, status: programmes.status }).from(programmes).where(eq(programmes.personId, personId)).for('update');
    const open = progs.filter((p) => (OPEN_PROGRAMME_STATUSES as readonly string[]).includes(p.status));
    if (open.length > 0) return { outcome: 'open_programme', programmeIds: open.map((p) => p.id) } as const;
    const progIds = progs.map((p) => p.id);
    const counts: Record<string, number> = {};
    const n = (name: string, rows: unknown[]) => (counts[name] = rows.length);

    await tx
      .update(people)
      .set({ givenName: ERASED_NAME, familyName: ERASED_NAME, birthDate: null, codiceFiscale: null, phone: null, email: null, address: null, livesAlone: null, familySupport: null, preferredChannel: null, erasedAt: now, updatedAt: now })
      .where(eq(people.id, personId));

    const identities = await tx.select({ id: channelIdentities.id, channel: channelIdentities.channel, address: channelIdentities.address }).from(channelIdentities).where(eq(channelIdentities.personId, personId));
    const identityIds = identities.map((i) => i.id);
    const conversationIds = await conversationIdsOf(tx, identityIds);
    if (conversationIds.length > 0) {
      n('messages', await tx.update(messages).set({ body: '', input: null, understood: null }).where(inArray(messages.conversationId, conversationIds)).returning({ id: messages.id }));
      await tx.update(conversations).set({ state: {}, updatedAt: now }).where(inArray(conversations.id, conversationIds));
      await tx.update(conversationNotes).set({ body: '' }).where(inArray(conversationNotes.conversationId, conversationIds));
    }
    // Raw channel traffic still holds text and the sender's number or chat id.
    for (const i of identities) {
      const match = i.channel === 'sms' ? sql`${channelInbound.payload}->>'From' = ${i.address}` : sql`(${channelInbound.payload}->'message'->'chat'->>'id') = ${i.address}`;
      if (i.channel !== 'web') await tx.update(channelInbound).set({ payload: {} }).where(and(eq(channelInbound.channel, i.channel), match));
    }
    n(
      'outbound',
      await tx
        .update(outboundMessages)
        .set({ body: '', address: 'erased', options: null })
        .where(identityIds.length ? or(eq(outboundMessages.personId, personId), inArray(outboundMessages.identityId, identityIds)) : eq(outboundMessages.personId, personId))
        .returning({ id: outboundMessages.id }),
    );
    // Detached: the chat address no longer leads to the person; a new message starts afresh.
    for (const i of identities) {
      await tx.update(channelIdentities).set({ personId: null, address: `erased:${i.id}`, reachable: false }).where(eq(channelIdentities.id, i.id));
    }
    n('identities', identities);

    n(
      'documents',
      await tx
        .update(documents)
        .set({ content: Buffer.alloc(0), filename: null, sizeBytes: 0 })
        .where(conversationIds.length ? or(eq(documents.personId, personId), inArray(documents.conversationId, conversationIds)) : eq(documents.personId, personId))
        .returning({ id: documents.id }),
    );
    await tx.update(delegations).set({ revokedAt: now }).where(and(or(eq(delegations.personId, personId), eq(delegations.delegatePersonId, personId)), isNull(delegations.revokedAt)));
    await tx.update(delegations).set({ relationship: null }).where(or(eq(delegations.personId, personId), eq(delegations.delegatePersonId, personId)));
    await tx.update(consents).set({ givenBy: null }).where(eq(consents.personId, personId));
    // Nobody may be prompted or alerted about an erased person again.
    await tx.update(checkinEnrolments).set({ status: 'stopped', contacts: [], updatedAt: now }).where(eq(checkinEnrolments.personId, personId));
    await tx.update(accessRecordChanges).set({ changes: {} }).where(eq(accessRecordChanges.personId, personId));
    await tx.update(helpRequests).set({ requestedText: null }).where(or(eq(helpRequests.personId, personId), eq(helpRequests.requesterPersonId, personId)));
    await tx.update(segnalazioni).set({ subjectName: null, subjectAddress: null, details: null }).where(eq(segnalazioni.personId, personId));
    if (identityIds.length > 0) await tx.update(segnalazioni).set({ reporterName: null }).where(inArray(segnalazioni.reporterIdentityId, identityIds));
    const appIds = (await tx.select({ id: applications.id }).from(applications).where(eq(applications.personId, personId))).map((a) => a.id);
    if (appIds.length > 0) {
      await tx.update(assessments).set({ specialSituation: null }).where(inArray(assessments.applicationId, appIds));
      await tx.update(applicationStatusHistory).set({ note: null }).where(inArray(applicationStatusHistory.applicationId, appIds));
    }
    if (progIds.length > 0) {
      await tx.update(programmes).set({ interruptionReason: null, familyAssistant: null, updatedAt: now }).where(inArray(programmes.id, progIds));
      await tx.update(evaluations).set({ notes: null }).where(inArray(evaluations.programmeId, progIds));
      await tx.update(questionnaireResponses).set({ answers: {} }).where(inArray(questionnaireResponses.programmeId, progIds));
    }
    // In the same transaction: an erasure without its audit row cannot happen.
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'person.erase', subjectType: 'person', subjectId: personId, comuneId: person.comuneId, requestId: actor.requestId });
    return { outcome: 'erased', comuneId: person.comuneId, counts } as const;
  });
}
