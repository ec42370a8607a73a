/**
 * Applies what a chat turn decided (core/conversation Effect), in the transaction that handles
 * the message, so a turn's records and its replies commit together. Each record keeps the
 * inbound message it came from: a redelivered message cannot create a second one.
 * Every id the engine passes is checked against the context the db layer itself loaded (the
 * people this identity may act for), never trusted as is.
 */
import type { i18n as I18n } from 'i18next';
import { and, eq, sql } from 'drizzle-orm';
import type { ChatContext } from '../core/conversation/context.ts';
import type { Effect, EffectResults } from '../core/conversation/types.ts';
import { recordAudit } from './audit.ts';
import { rowsOf, type Tx } from './client.ts';
import { applyCheckinChatEffect } from './checkins.ts';
import { loadChatContext } from './chat-data.ts';
import { identityAddress, redeemLinkCode } from './chat-link.ts';
import type { ConversationRow } from './conversations.ts';
import {
  accessRecordChanges,
  applicationStatusHistory,
  applications,
  conversations,
  helpRequests,
  programmeSuspensions,
  questionnaireResponses,
  segnalazioni,
} from './schema.ts';

async function nextReference(tx: Tx, prefix: 'R' | 'S'): Promise<string> {
  const result = await tx.execute(sql`select nextval('reference_numbers')::bigint as n`);
  return `${prefix}-${Number(rowsOf<{ n: number | string }>(result)[0]!.n)}`;
}

function personAllowed(context: ChatContext | undefined, personId: string | null): boolean {
  return personId === null || (context?.people.some((p) => p.personId === personId) ?? false);
}

function programmeAllowed(context: ChatContext | undefined, programmeId: string | null): boolean {
  return programmeId === null || (context?.people.some((p) => p.programme?.id === programmeId) ?? false);
}

export async function applyChatEffects(
  tx: Tx,
  input: { conversation: ConversationRow; messageId: string; effects: Effect[]; context: ChatContext | undefined; now: Date; origin?: string; i18n: I18n },
): Promise<EffectResults> {
  const { conversation, messageId, context, now, i18n } = input;
  const results: EffectResults = {};
  const audit = (action: string, subjectType: string, subjectId: string, comuneId: string | null) =>
    recordAudit(tx, { actorType: 'person', actorId: conversation.identityId, action, subjectType, subjectId, comuneId });

  for (const effect of input.effects) {
    switch (effect.kind) {
      case 'handover':
        break;
      case 'record_read': {
        if (!personAllowed(context, effect.personId)) throw new Error('chat effect refers to a person outside the identity');
        await recordAudit(tx, {
          actorType: 'person', actorId: conversation.identityId, action: `chat.${effect.what}.read`, subjectType: 'person', subjectId: effect.personId,
          comuneId: context?.people.find((p) => p.personId === effect.personId)?.comuneId ?? null,
        });
        break;
      }
      case 'link_identity': {
        const { channel, address } = await identityAddress(tx, conversation.identityId);
        const outcome = await redeemLinkCode(tx, {
          code: effect.code, conversationId: conversation.id, identityId: conversation.identityId, channel, address, now, ...(input.origin ? { origin: input.origin } : {}),
        });
        // Once linked, the turn can answer what the person asked before the code (core resumes it).
        results.link = outcome === 'ok' ? { outcome, context: await loadChatContext(tx, conversation.identityId, now) } : { outcome };
        break;
      }
      case 'create_request': {
        if (!personAllowed(context, effect.personId) || !programmeAllowed(context, effect.programmeId)) throw new Error('chat effect refers to a person outside the identity');
        const visitOk = effect.visitId === null || (context?.people.some((p) => p.programme?.upcomingVisits.some((v) => v.id === effect.visitId)) ?? false);
        if (!visitOk) throw new Error('chat effect refers to an unknown visit');
        const [existing] = await tx.select({ reference: helpRequests.reference }).from(helpRequests).where(eq(helpRequests.sourceMessageId, messageId));
        if (existing) {
          results.reference = existing.reference;
          break;
        }
        const reference = await nextReference(tx, 'R');
        const [row] = await tx
          .insert(helpRequests)
          .values({
            reference,
            conversationId: conversation.id,
            requesterPersonId: context?.people.find((p) => p.self)?.personId ?? null,
            personId: effect.personId,
            comuneId: effect.comuneId,
            kind: effect.requestKind,
            service: effect.service,
            family: effect.family,
            requestedStart: effect.requestedStart ? new Date(effect.requestedStart) : null,
            requestedText: effect.requestedText,
            programmeId: effect.programmeId,
            visitId: effect.visitId,
            sourceMessageId: messageId,
            createdAt: now,
            updatedAt: now,
          })
          .returning({ id: helpRequests.id });
        results.reference = reference;
        if (effect.comuneId && !conversation.comuneId) await tx.update(conversations).set({ comuneId: effect.comuneId }).where(eq(conversations.id, conversation.id));
        await audit('chat.help_request.create', 'help_request', row!.id, effect.comuneId);
        break;
      }
      case 'create_segnalazione': {
        const [existing] = await tx.select({ reference: segnalazioni.reference }).from(segnalazioni).where(eq(segnalazioni.sourceMessageId, messageId));
        if (existing) {
          results.reference = existing.reference;
          break;
        }
        const reference = await nextReference(tx, 'S');
        const [row] = await tx
          .insert(segnalazioni)
          .values({
            reference,
            conversationId: conversation.id,
            reporterIdentityId: conversation.identityId,
            reporterName: effect.reporterName,
            reporterRole: effect.reporterRole,
            subjectName: effect.subjectName,
            subjectAddress: effect.subjectAddress,
            comuneId: effect.comuneId,
            problems: effect.problems,
            details: effect.details,
            livesAlone: effect.livesAlone,
            personAware: effect.personAware,
            immediateRisk: effect.immediateRisk,
            consentToContact: effect.consentToContact,
            urgency: effect.urgency,
            sourceMessageId: messageId,
            createdAt: now,
            updatedAt: now,
          })
          .returning({ id: segnalazioni.id });
        results.reference = reference;
        if (!conversation.comuneId) await tx.update(conversations).set({ comuneId: effect.comuneId }).where(eq(conversations.id, conversation.id));
        await audit('chat.segnalazione.create', 'segnalazione', row!.id, effect.comuneId);
        break;
      }
      case 'propose_change': {
        if (!personAllowed(context, effect.personId)) throw new Error('chat effect refers to a person outside the identity');
        const [row] = await tx
          .insert(accessRecordChanges)
          .values({ personId: effect.personId, applicationId: effect.applicationId, source: 'chat', conversationId: conversation.id, changes: effect.changes, status: 'pending', createdAt: now })
          .returning({ id: accessRecordChanges.id });
        await audit('chat.access_record_change.create', 'person', effect.personId, context?.people.find((p) => p.personId === effect.personId)?.comuneId ?? null);
        void row;
        break;
      }
      case 'request_suspension': {
        if (!programmeAllowed(context, effect.programmeId)) throw new Error('chat effect refers to a programme outside the identity');
        const [row] = await tx
          .insert(programmeSuspensions)
          .values({ programmeId: effect.programmeId, fromDate: effect.fromDate, toDate: effect.toDate, reason: effect.reason, status: 'requested', source: 'chat', requestedVia: conversation.id, createdAt: now })
          .returning({ id: programmeSuspensions.id });
        await audit('chat.suspension.request', 'programme', effect.programmeId, null);
        void row;
        break;
      }
      case 'save_questionnaire': {
        if (!programmeAllowed(context, effect.programmeId)) throw new Error('chat effect refers to a programme outside the identity');
        await tx.insert(questionnaireResponses).values({ programmeId: effect.programmeId, answers: effect.answers, source: 'chat', conversationId: conversation.id, createdAt: now });
        await audit('chat.questionnaire.save', 'programme', effect.programmeId, null);
        break;
      }
      case 'checkin_answer':
      case 'checkin_pause':
      case 'checkin_stop':
      case 'checkin_resume':
        await applyCheckinChatEffect(tx, effect, { conversation, context, now, i18n });
        break;
      case 'pre_application': {
        if (!personAllowed(context, effect.personId)) throw new Error('chat effect refers to a person outside the identity');
        const open = await tx
          .select({ id: applications.id })
          .from(applications)
          .where(and(eq(applications.personId, effect.personId), sql`${applications.status} not in ('closed', 'not_eligible')`))
          .limit(1);
        if (open.length > 0) break;
        const [app] = await tx
          .insert(applications)
          .values({ personId: effect.personId, comuneId: effect.comuneId, origin: 'citizen', status: 'received', applicationDate: effect.applicationDate, createdAt: now, updatedAt: now })
          .returning({ id: applications.id });
        await tx.insert(applicationStatusHistory).values({ applicationId: app!.id, fromStatus: null, toStatus: 'received', at: now, note: 'chat pre-application' });
        await audit('chat.application.pre', 'application', app!.id, effect.comuneId);
        break;
      }
    }
  }
  return results;
}
