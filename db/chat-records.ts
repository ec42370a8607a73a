/**
 * Staff queries over the records born in chat: help requests and segnalazioni (list, read,
 * take in charge / change status). Scope is the record's comune; status changes run under a
 * row lock so two operators taking the same request cannot both win silently.
 */
import { and, desc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from './client.ts';
import { offersService } from './resources.ts';
import { helpRequests, resourceComuni, resources, segnalazioni, type RequestStatus, type SegnalazioneStatus } from './schema.ts';

/** Who may see which comuni: null = every comune (admin). Operators also see records with no comune yet. */
export interface RecordScope {
  comuni: string[] | null;
  includeNoComune: boolean;
}

function scopeCondition(column: typeof helpRequests.comuneId | typeof segnalazioni.comuneId, scope: RecordScope): SQL | undefined {
  if (scope.comuni === null) return undefined;
  const parts: SQL[] = [];
  if (scope.comuni.length > 0) parts.push(inArray(column, scope.comuni));
  if (scope.includeNoComune) parts.push(isNull(column));
  return parts.length === 0 ? sql`false` : or(...parts);
}

export const helpRequestColumns = {
  id: helpRequests.id,
  reference: helpRequests.reference,
  kind: helpRequests.kind,
  status: helpRequests.status,
  comuneId: helpRequests.comuneId,
  personId: helpRequests.personId,
  requesterPersonId: helpRequests.requesterPersonId,
  conversationId: helpRequests.conversationId,
  service: helpRequests.service,
  family: helpRequests.family,
  requestedStart: helpRequests.requestedStart,
  requestedText: helpRequests.requestedText,
  programmeId: helpRequests.programmeId,
  visitId: helpRequests.visitId,
  resourceId: helpRequests.resourceId,
  assignedStaffId: helpRequests.assignedStaffId,
  createdAt: helpRequests.createdAt,
  updatedAt: helpRequests.updatedAt,
};

export async function listHelpRequests(q: Queryable, scope: RecordScope, filter: { status?: RequestStatus; comuneId?: string; limit: number; before?: Date }) {
  return q
    .select(helpRequestColumns)
    .from(helpRequests)
    .where(
      and(
        scopeCondition(helpRequests.comuneId, scope),
        filter.status ? eq(helpRequests.status, filter.status) : undefined,
        filter.comuneId ? eq(helpRequests.comuneId, filter.comuneId) : undefined,
        filter.before ? lt(helpRequests.createdAt, filter.before) : undefined,
      ),
    )
    .orderBy(desc(helpRequests.createdAt), desc(helpRequests.id))
    .limit(filter.limit);
}

export async function getHelpRequest(q: Queryable, id: string, lock = false) {
  const query = q.select(helpRequestColumns).from(helpRequests).where(eq(helpRequests.id, id));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

export const REQUEST_TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  new: ['assigned', 'scheduled', 'done', 'cancelled'],
  assigned: ['scheduled', 'done', 'cancelled'],
  scheduled: ['done', 'cancelled'],
  done: [],
  cancelled: [],
};

export async function resourceServes(q: Queryable, resourceId: string, comuneId: string | null): Promise<boolean> {
  const rows = await q
    .select({ id: resources.id })
    .from(resources)
    .innerJoin(resourceComuni, eq(resourceComuni.resourceId, resources.id))
    .where(and(eq(resources.id, resourceId), eq(resources.active, true), comuneId ? eq(resourceComuni.comuneId, comuneId) : undefined))
    .limit(1);
  return rows.length > 0;
}

/** Whether the resource offers the request's service (null: any resource will do). */
export async function resourceOffers(q: Queryable, resourceId: string, service: string | null): Promise<boolean> {
  if (service === null || service.trim() === '') return true;
  const rows = await q.select({ id: resources.id }).from(resources).where(and(eq(resources.id, resourceId), offersService(service.trim().toUpperCase()))).limit(1);
  return rows.length > 0;
}

export async function updateHelpRequest(q: Queryable, id: string, set: Partial<{ status: RequestStatus; assignedStaffId: string; resourceId: string | null }>, now: Date) {
  await q.update(helpRequests).set({ ...set, updatedAt: now }).where(eq(helpRequests.id, id));
}

export const segnalazioneColumns = {
  id: segnalazioni.id,
  reference: segnalazioni.reference,
  status: segnalazioni.status,
  urgency: segnalazioni.urgency,
  comuneId: segnalazioni.comuneId,
  conversationId: segnalazioni.conversationId,
  reporterName: segnalazioni.reporterName,
  reporterRole: segnalazioni.reporterRole,
  subjectName: segnalazioni.subjectName,
  subjectAddress: segnalazioni.subjectAddress,
  personId: segnalazioni.personId,
  problems: segnalazioni.problems,
  details: segnalazioni.details,
  livesAlone: segnalazioni.livesAlone,
  personAware: segnalazioni.personAware,
  immediateRisk: segnalazioni.immediateRisk,
  consentToContact: segnalazioni.consentToContact,
  takenBy: segnalazioni.takenBy,
  takenAt: segnalazioni.takenAt,
  applicationId: segnalazioni.applicationId,
  createdAt: segnalazioni.createdAt,
  updatedAt: segnalazioni.updatedAt,
};

/** The list shows no names or addresses: those are read one record at a time, audited. */
export async function listSegnalazioni(q: Queryable, scope: RecordScope, filter: { status?: SegnalazioneStatus; comuneId?: string; limit: number; before?: Date }) {
  return q
    .select({
      id: segnalazioni.id,
      reference: segnalazioni.reference,
      status: segnalazioni.status,
      urgency: segnalazioni.urgency,
      comuneId: segnalazioni.comuneId,
      reporterRole: segnalazioni.reporterRole,
      problems: segnalazioni.problems,
      immediateRisk: segnalazioni.immediateRisk,
      createdAt: segnalazioni.createdAt,
    })
    .from(segnalazioni)
    .where(
      and(
        scopeCondition(segnalazioni.comuneId, scope),
        filter.status ? eq(segnalazioni.status, filter.status) : undefined,
        filter.comuneId ? eq(segnalazioni.comuneId, filter.comuneId) : undefined,
        filter.before ? lt(segnalazioni.createdAt, filter.before) : undefined,
      ),
    )
    // Immediate risk first, then high, then the oldest waiting.
    .orderBy(sql`case ${segnalazioni.urgency} when 'immediate' then 0 when 'high' then 1 else 2 end`, desc(segnalazioni.createdAt), desc(segnalazioni.id))
    .limit(filter.limit);
}

export async function getSegnalazione(q: Queryable, id: string, lock = false) {
  const query = q.select(segnalazioneColumns).from(segnalazioni).where(eq(segnalazioni.id, id));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

export const SEGNALAZIONE_TRANSITIONS: Readonly<Record<SegnalazioneStatus, readonly SegnalazioneStatus[]>> = {
  received: ['taken_in_charge', 'closed'],
  taken_in_charge: ['closed'],
  closed: [],
};

export async function updateSegnalazione(q: Queryable, id: string, set: Partial<{ status: SegnalazioneStatus; takenBy: string; takenAt: Date }>, now: Date) {
  await q.update(segnalazioni).set({ ...set, updatedAt: now }).where(eq(segnalazioni.id, id));
}
