/**
 * Community resources (issue #9): light on-demand requests for volunteers and occasional helpers,
 * *Un buono per amico* redemptions in the voucher ledger, *Un euro all'ora* family assistants and
 * the comune's incentive. Rules are core/community's; this file loads rows, lets core decide and
 * writes the result in one transaction, under the row lock of what it changes.
 */
import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import {
  checkFamilyAssistant,
  computeMonthlyIncentive,
  DEFAULT_INCENTIVE,
  type FamilyAssistantInput,
  type IncentiveSettings,
  type MonthlyIncentive,
} from '../core/community/family-assistant.ts';
import { checkResourceCanTake, isLightService, isOpenLightRequest, LIGHT_RESOURCE_KINDS, requestServiceCode, type TakeRefusal } from '../core/community/light-services.ts';
import { checkVolunteerRedemption } from '../core/community/volunteer-vouchers.ts';
import { DomainError } from '../core/errors.ts';
import { ROME_ZONE, romeDate } from '../core/regulation/calendar.ts';
import { computeBalance } from '../core/regulation/ledger.ts';
import { redeemProgrammeHours } from '../core/regulation/programme.ts';
import { recordAudit } from './audit.ts';
import { notify, type Db, type Queryable, type Tx } from './client.ts';
import { MESSAGES_CHANNEL, nextSeq } from './conversations.ts';
import { recordCaseEvent } from './events.ts';
import { appendLedgerEntry, lastEntryId, lockProgramme, readLedger, toLedgerEntries, type LedgerRow, type ProgrammeRow } from './ledger.ts';
import { enqueueOutbound } from './outbound.ts';
import { isRunningLow, listSuspensions, toCoreProgramme, type Actor } from './programmes.ts';
import { findResource, type ResourceRecord } from './resources.ts';
import { channelIdentities, comuneSettings, conversations, helpRequests, messages, people, resourceComuni, resources } from './schema.ts';
import { communitySettings, lightRequestAssignments, programmeFamilyAssistants, volunteerRedemptions } from './schema-community.ts';

// ───────────────────────────── Light requests ─────────────────────────────

/**
 * Case events of the community workflow (in db/schema.ts CASE_EVENT_TYPES): the reminder sweep
 * consumes them silently, and the person hears back from the notice this file writes into their
 * conversation in the same transaction.
 */
export const LIGHT_REQUEST_EVENTS = { assigned: 'light_request_assigned', scheduled: 'light_request_scheduled', released: 'light_request_released' } as const;

export interface LightRequestRow {
  id: string;
  reference: string;
  kind: 'visit' | 'on_demand';
  status: (typeof helpRequests.$inferSelect)['status'];
  comuneId: string | null;
  personId: string | null;
  conversationId: string | null;
  service: string | null;
  family: string | null;
  requestedStart: Date | null;
  resourceId: string | null;
  createdAt: Date;
  updatedAt: Date;
  assignedAt: Date | null;
  assignedBy: string | null;
  scheduledStart: Date | null;
}

const lightColumns = {
  id: helpRequests.id,
  reference: helpRequests.reference,
  kind: helpRequests.kind,
  status: helpRequests.status,
  comuneId: helpRequests.comuneId,
  personId: helpRequests.personId,
  conversationId: helpRequests.conversationId,
  service: helpRequests.service,
  family: helpRequests.family,
  requestedStart: helpRequests.requestedStart,
  resourceId: helpRequests.resourceId,
  createdAt: helpRequests.createdAt,
  updatedAt: helpRequests.updatedAt,
  assignedAt: lightRequestAssignments.assignedAt,
  assignedBy: lightRequestAssignments.assignedBy,
  scheduledStart: lightRequestAssignments.scheduledStart,
};

/** The SQL side of core's "light service": a first cut, refined by core on the rows. */
const lightServiceSql = sql`(upper(coalesce(${helpRequests.service}, '')) in ('8A', 'COMPAGNIA', '8') or (${helpRequests.service} is null and ${helpRequests.family} = '8'))`;

/** Which requests a caller may see: comuni (null = all) and/or the resources they work for. */
export interface LightScope {
  comuni: string[] | null;
  /** Provider accounts: their light resources (kind volunteer_association / occasional_helper). */
  resources: ResourceRecord[] | null;
}

/** A provider account's resources that may take light requests. */
export async function lightResourcesOf(q: Queryable, resourceIds: readonly string[]): Promise<ResourceRecord[]> {
  const out: ResourceRecord[] = [];
  for (const id of resourceIds) {
    const r = await findResource(q, id);
    if (r && LIGHT_RESOURCE_KINDS.includes(r.kind)) out.push(r);
  }
  return out;
}

export function canResourceTake(resource: ResourceRecord, row: Pick<LightRequestRow, 'comuneId' | 'service' | 'family'>): TakeRefusal | null {
  return checkResourceCanTake(resource, { comuneId: row.comuneId, service: requestServiceCode(row) });
}

/**
 * Open light requests (on demand, light service, new, nobody assigned), oldest first, that the
 * scope may see; with `resource`, only those that resource may take.
 */
export async function listOpenLightRequests(q: Queryable, scope: LightScope, filter: { resource?: ResourceRecord; limit: number }): Promise<LightRequestRow[]> {
  const conditions: (SQL | undefined)[] = [eq(helpRequests.kind, 'on_demand'), eq(helpRequests.status, 'new'), isNull(helpRequests.resourceId), lightServiceSql];
  if (scope.comuni !== null) conditions.push(scope.comuni.length ? inArray(helpRequests.comuneId, scope.comuni) : sql`false`);
  const takers = filter.resource ? [filter.resource] : scope.resources;
  if (takers !== null) {
    const comuni = [...new Set(takers.flatMap((r) => r.comuni))];
    conditions.push(comuni.length ? inArray(helpRequests.comuneId, comuni) : sql`false`);
  }
  const rows = await q
    .select(lightColumns)
    .from(helpRequests)
    .leftJoin(lightRequestAssignments, eq(lightRequestAssignments.helpRequestId, helpRequests.id))
    .where(and(...conditions))
    .orderBy(asc(helpRequests.createdAt), asc(helpRequests.id))
    // Core refines the SQL cut below; a little headroom keeps the page full.
    .limit(filter.limit * 2);
  return rows
    .filter((r) => isOpenLightRequest(r))
    .filter((r) => takers === null || takers.some((t) => canResourceTake(t, r) === null))
    .slice(0, filter.limit);
}

/** Light requests already assigned (assigned or scheduled), next appointment first. */
export async function listAssignedLightRequests(q: Queryable, scope: LightScope, filter: { resourceIds?: string[]; limit: number }): Promise<LightRequestRow[]> {
  const conditions: (SQL | undefined)[] = [inArray(helpRequests.status, ['assigned', 'scheduled'])];
  if (scope.comuni !== null) conditions.push(scope.comuni.length ? inArray(helpRequests.comuneId, scope.comuni) : sql`false`);
  const ids = filter.resourceIds ?? (scope.resources ? scope.resources.map((r) => r.id) : undefined);
  if (ids !== undefined) conditions.push(ids.length ? inArray(lightRequestAssignments.resourceId, ids) : sql`false`);
  return q
    .select(lightColumns)
    .from(helpRequests)
    .innerJoin(lightRequestAssignments, eq(lightRequestAssignments.helpRequestId, helpRequests.id))
    .where(and(...conditions))
    .orderBy(sql`${lightRequestAssignments.scheduledStart} asc nulls last`, asc(lightRequestAssignments.assignedAt))
    .limit(filter.limit);
}

export async function findLightRequest(q: Queryable, id: string, lock = false): Promise<LightRequestRow | undefined> {
  if (lock) await q.select({ id: helpRequests.id }).from(helpRequests).where(eq(helpRequests.id, id)).for('update');
  const [row] = await q
    .select(lightColumns)
    .from(helpRequests)
    .leftJoin(lightRequestAssignments, eq(lightRequestAssignments.helpRequestId, helpRequests.id))
    .where(eq(helpRequests.id, id));
  return row;
}

/** The person a light request is for, as the resource that takes it needs them: name and how to reach them. */
export async function lightRequestContact(q: Queryable, personId: string) {
  const [row] = await q
    .select({ givenName: people.givenName, familyName: people.familyName, address: people.address, phone: people.phone })
    .from(people)
    .where(and(eq(people.id, personId), isNull(people.erasedAt)));
  return row;
}

const REFUSAL_KEYS: Record<TakeRefusal, string> = {
  not_light: 'community:error.notLightService',
  kind: 'community:error.notLightResource',
  inactive: 'community:error.resourceInactive',
  comune: 'community:error.resourceNotServingComune',
  service: 'community:error.resourceNotOfferingServiceRequest',
};
/** The rule named when a light request cannot go to a resource. */
export const LIGHT_SERVICES_RULE = 'servizi leggeri';

function refusalError(refusal: TakeRefusal): DomainError {
  const ref = { key: REFUSAL_KEYS[refusal] };
  return new DomainError('NOT_ELIGIBLE', ref, { rule: LIGHT_SERVICES_RULE, fields: { [refusal === 'not_light' ? 'service' : 'resourceId']: ref } });
}

/** Renders the notice to the person in their conversation's language. */
export type NoticeText = (locale: string) => string;

/**
 * Writes a notice into the conversation the request came from (web chat reads it there) and,
 * on Telegram or SMS, queues it for sending with the same dedupe key the outbound sweep uses,
 * so it leaves exactly once. Inside the caller's transaction: nothing is said unless it commits.
 */
async function noticeToConversation(tx: Tx, conversationId: string, text: NoticeText): Promise<void> {
  const [conversation] = await tx
    .select({ id: conversations.id, channel: conversations.channel, locale: conversations.locale, identityId: conversations.identityId })
    .from(conversations)
    .where(eq(conversations.id, conversationId))
    .for('update');
  if (!conversation) return;
  const body = text(conversation.locale);
  const seq = await nextSeq(tx, conversationId);
  const [message] = await tx.insert(messages).values({ conversationId, seq, direction: 'out', author: 'system', body }).returning({ id: messages.id });
  await notify(tx, MESSAGES_CHANNEL, `${conversationId}:${seq}`);
  if (conversation.channel === 'telegram' || conversation.channel === 'sms') {
    const [identity] = await tx
      .select({ address: channelIdentities.address, personId: channelIdentities.personId, reachable: channelIdentities.reachable })
      .from(channelIdentities)
      .where(eq(channelIdentities.id, conversation.identityId));
    if (identity?.reachable) {
      await enqueueOutbound(tx, {
        channel: conversation.channel,
        address: identity.address,
        body,
        locale: conversation.locale,
        purpose: 'notice',
        identityId: conversation.identityId,
        personId: identity.personId,
        conversationId,
        messageId: message!.id,
        dedupeKey: `msg:${message!.id}`,
      });
    }
  }
}

async function recordLightEvent(tx: Tx, row: LightRequestRow, type: keyof typeof LIGHT_REQUEST_EVENTS, payload: Record<string, string | number | null>, dedupeKey: string) {
  if (!row.personId) return;
  await recordCaseEvent(tx, {
    type: LIGHT_REQUEST_EVENTS[type],
    personId: row.personId,
    comuneId: row.comuneId,
    subjectType: 'help_request',
    subjectId: row.id,
    payload: { helpRequestId: row.id, reference: row.reference, ...payload },
    dedupeKey,
  });
}

/**
 * Gives an open light request to a volunteer association or occasional helper. Under the
 * request's row lock: a request already taken answers 409 (two volunteers clicking at once: one
 * wins); a resource that cannot take it answers 422 naming why. Records a case event and tells
 * the person in their conversation.
 */
export async function assignLightRequest(
  db: Db,
  requestId: string,
  resourceId: string,
  actor: Actor,
  now: Date,
  notice: (resourceName: string, reference: string) => NoticeText,
): Promise<LightRequestRow> {
  return db.transaction(async (tx) => {
    const row = await findLightRequest(tx, requestId, true);
    if (!row) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
    if (row.kind !== 'on_demand' || !isLightService(requestServiceCode(row))) throw refusalError('not_light');
    if (row.status !== 'new' || row.resourceId !== null) throw new DomainError('CONFLICT', { key: 'community:error.alreadyTaken', params: { reference: row.reference } });
    const resource = await findResource(tx, resourceId);
    if (!resource) throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { resourceId: { key: 'community:error.unknownResource' } } });
    const refusal = canResourceTake(resource, row);
    if (refusal) throw refusalError(refusal);
    await tx.insert(lightRequestAssignments).values({ helpRequestId: row.id, resourceId, assignedBy: actor.staffId, assignedAt: now });
    await tx.update(helpRequests).set({ status: 'assigned', resourceId, updatedAt: now }).where(eq(helpRequests.id, row.id));
    // Per assignment: a request given back and taken again has one event each time.
    await recordLightEvent(tx, row, 'assigned', { resourceId }, `light_request_assigned:${row.id}:${now.toISOString()}`);
    if (row.conversationId) await noticeToConversation(tx, row.conversationId, notice(resource.name, row.reference));
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'light_request.assign', subjectType: 'help_request', subjectId: row.id, comuneId: row.comuneId, reason: `resource=${resourceId}`, requestId: actor.requestId });
    return (await findLightRequest(tx, row.id))!;
  });
}

/** An assigned or scheduled light request, under its row lock, with its assignment (404, or 409 when nobody has it). */
async function lockAssignedRequest(tx: Tx, requestId: string) {
  const row = await findLightRequest(tx, requestId, true);
  if (!row) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
  const [assignment] = await tx.select().from(lightRequestAssignments).where(eq(lightRequestAssignments.helpRequestId, row.id));
  if (!assignment || (row.status !== 'assigned' && row.status !== 'scheduled')) {
    throw new DomainError('CONFLICT', { key: 'community:error.notAssigned', params: { reference: row.reference } });
  }
  return { row, assignment };
}

/**
 * The resource confirms when it will come (or moves the appointment): assigned or scheduled
 * requests only (409 otherwise). Records a case event per confirmed time and tells the person.
 */
export async function scheduleLightRequest(
  db: Db,
  requestId: string,
  startsAt: Date,
  actor: Actor,
  now: Date,
  notice: (resourceName: string, reference: string, startsAt: Date) => NoticeText,
): Promise<LightRequestRow> {
  return db.transaction(async (tx) => {
    const { row, assignment } = await lockAssignedRequest(tx, requestId);
    await tx.update(lightRequestAssignments).set({ scheduledStart: startsAt, scheduledBy: actor.staffId, scheduledAt: now }).where(eq(lightRequestAssignments.helpRequestId, row.id));
    await tx.update(helpRequests).set({ status: 'scheduled', updatedAt: now }).where(eq(helpRequests.id, row.id));
    await recordLightEvent(tx, row, 'scheduled', { resourceId: assignment.resourceId, startsAt: startsAt.toISOString() }, `light_request_scheduled:${row.id}:${startsAt.toISOString()}`);
    const [resource] = await tx.select({ name: resources.name }).from(resources).where(eq(resources.id, assignment.resourceId));
    if (row.conversationId) await noticeToConversation(tx, row.conversationId, notice(resource?.name ?? '', row.reference, startsAt));
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'light_request.schedule', subjectType: 'help_request', subjectId: row.id, comuneId: row.comuneId, requestId: actor.requestId });
    return (await findLightRequest(tx, row.id))!;
  });
}

/**
 * The resource can no longer come: the request goes back to the open list (status new, nobody
 * assigned) for another volunteer to take. Assigned or scheduled requests only (409 otherwise).
 * The assignment row goes; the case event keeps who had it and the time that was confirmed, and
 * the person is told in their chat that someone else is being looked for.
 */
export async function releaseLightRequest(
  db: Db,
  requestId: string,
  actor: Actor,
  now: Date,
  notice: (resourceName: string, reference: string) => NoticeText,
): Promise<LightRequestRow> {
  return db.transaction(async (tx) => {
    const { row, assignment } = await lockAssignedRequest(tx, requestId);
    await tx.delete(lightRequestAssignments).where(eq(lightRequestAssignments.helpRequestId, row.id));
    await tx.update(helpRequests).set({ status: 'new', resourceId: null, updatedAt: now }).where(eq(helpRequests.id, row.id));
    // One event per assignment given back (a request taken and released twice has two).
    await recordLightEvent(
      tx,
      row,
      'released',
      { resourceId: assignment.resourceId, scheduledStart: assignment.scheduledStart?.toISOString() ?? null },
      `light_request_released:${row.id}:${assignment.assignedAt.toISOString()}`,
    );
    const [resource] = await tx.select({ name: resources.name }).from(resources).where(eq(resources.id, assignment.resourceId));
    if (row.conversationId) await noticeToConversation(tx, row.conversationId, notice(resource?.name ?? '', row.reference));
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'light_request.release', subjectType: 'help_request', subjectId: row.id, comuneId: row.comuneId, reason: `resource=${assignment.resourceId}`, requestId: actor.requestId });
    return (await findLightRequest(tx, row.id))!;
  });
}

/** Rome wall-clock date and time of an instant, for notices ("2026-03-12", "10:00"). */
export function romeDateTime(instant: Date, locale: string): { date: string; time: string } {
  const dt = DateTime.fromJSDate(instant, { zone: ROME_ZONE }).setLocale(locale === 'en' ? 'en' : 'it');
  return { date: dt.toFormat('cccc d LLLL'), time: dt.toFormat('HH:mm') };
}

// ───────────────────────────── Un buono per amico ─────────────────────────────

/**
 * Whether a volunteer-association account may record redemptions on this person's programme:
 * only when one of its resources took a light request for that person (it has met them).
 * Returns the newest such request, linked to the redemption.
 */
export async function volunteerRequestFor(q: Queryable, personId: string, resourceIds: readonly string[]): Promise<string | undefined> {
  if (resourceIds.length === 0) return undefined;
  const [row] = await q
    .select({ id: helpRequests.id })
    .from(helpRequests)
    .innerJoin(lightRequestAssignments, eq(lightRequestAssignments.helpRequestId, helpRequests.id))
    .where(and(eq(helpRequests.personId, personId), inArray(lightRequestAssignments.resourceId, [...resourceIds]), inArray(helpRequests.status, ['assigned', 'scheduled', 'done'])))
    .orderBy(desc(lightRequestAssignments.assignedAt))
    .limit(1);
  return row?.id;
}

async function volunteerServicesOf(q: Queryable, comuneId: string): Promise<string[]> {
  const [row] = await q.select({ services: comuneSettings.volunteerVoucherServices }).from(comuneSettings).where(eq(comuneSettings.comuneId, comuneId));
  return row?.services ?? [];
}

export interface VolunteerRedemptionInput {
  hours: unknown;
  deliveredAt: Date;
  resourceId: string;
  service: string;
  helpRequestId?: string | undefined;
}

/**
 * *Un buono per amico*: redeems whole voucher hours delivered by a volunteer association. Same
 * ledger, same guards as every redemption (db/ledger.ts): the programme row lock serialises it
 * with provider redemptions, the entry chain and the 0005 trigger keep the balance ≥ 0. Core
 * decides first whether the volunteer may redeem (422 naming the rule), then art. 11 (whole
 * hours, inside the programme period, within the balance: 400 / 409).
 */
export async function redeemWithVolunteer(db: Db, programmeId: string, input: VolunteerRedemptionInput, actor: Actor): Promise<{ entry: LedgerRow; service: string; balanceHours: number }> {
  return db.transaction(async (tx) => {
    const row = await lockProgramme(tx, programmeId);
    if (!row) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
    const resource = await findResource(tx, input.resourceId);
    if (!resource) throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { resourceId: { key: 'community:error.unknownResource' } } });
    const service = checkVolunteerRedemption({
      hours: input.hours,
      service: input.service,
      resource,
      comuneId: row.comuneId,
      allowedServices: await volunteerServicesOf(tx, row.comuneId),
      programmeServices: row.services,
    });
    const ledger = await readLedger(tx, programmeId);
    const entries = toLedgerEntries(ledger);
    const core = toCoreProgramme(row, await listSuspensions(tx, programmeId));
    const entry = redeemProgrammeHours(core, entries, { hours: input.hours as number, on: romeDate(input.deliveredAt) });
    const saved = await appendLedgerEntry(tx, programmeId, lastEntryId(ledger), {
      kind: 'redeem',
      hours: entry.hours,
      on: entry.on,
      deliveredAt: input.deliveredAt,
      resourceId: resource.id,
      reason: 'un buono per amico',
      recordedBy: actor.staffId,
    });
    await tx.insert(volunteerRedemptions).values({
      ledgerEntryId: saved.id,
      programmeId,
      comuneId: row.comuneId,
      resourceId: resource.id,
      service,
      helpRequestId: input.helpRequestId ?? null,
      recordedBy: actor.staffId,
    });
    const after = computeBalance([...entries, entry]);
    await recordRunningLow(tx, row, after);
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'ledger.redeem_volunteer', subjectType: 'programme', subjectId: programmeId, comuneId: row.comuneId, reason: `resource=${resource.id}`, requestId: actor.requestId });
    return { entry: saved, service, balanceHours: after.balance };
  });
}

// Same event, same dedupe key as db/programmes.ts redeemVouchers: one "hours low" per programme.
async function recordRunningLow(tx: Tx, row: ProgrammeRow, after: ReturnType<typeof computeBalance>) {
  if (!isRunningLow(after.balance, after.issued + Math.max(0, after.adjusted))) return;
  await recordCaseEvent(tx, {
    type: 'hours_running_low',
    personId: row.personId,
    comuneId: row.comuneId,
    subjectType: 'programme',
    subjectId: row.id,
    payload: { programmeId: row.id, balanceHours: after.balance, issuedHours: after.issued, periodEnd: row.periodEnd },
    dedupeKey: `hours_running_low:${row.id}`,
  });
}

/** Volunteer redemptions of a programme, newest first (ledger entry, resource, service). */
export async function listVolunteerRedemptions(q: Queryable, programmeId: string) {
  return q
    .select({ ledgerEntryId: volunteerRedemptions.ledgerEntryId, resourceId: volunteerRedemptions.resourceId, service: volunteerRedemptions.service, helpRequestId: volunteerRedemptions.helpRequestId, createdAt: volunteerRedemptions.createdAt })
    .from(volunteerRedemptions)
    .where(eq(volunteerRedemptions.programmeId, programmeId))
    .orderBy(desc(volunteerRedemptions.ledgerEntryId));
}

// ───────────────────────────── Settings ─────────────────────────────

export async function loadIncentiveSettings(q: Queryable, comuneId: string): Promise<IncentiveSettings & { isDefault: boolean }> {
  const [row] = await q.select().from(communitySettings).where(eq(communitySettings.comuneId, comuneId));
  return row ? { centsPerHour: row.incentiveCentsPerHour, monthlyCapCents: row.incentiveMonthlyCapCents, isDefault: false } : { ...DEFAULT_INCENTIVE, isDefault: true };
}

export async function saveIncentiveSettings(q: Queryable, comuneId: string, settings: IncentiveSettings, staffId: string): Promise<void> {
  const set = { incentiveCentsPerHour: settings.centsPerHour, incentiveMonthlyCapCents: settings.monthlyCapCents, updatedBy: staffId };
  await q
    .insert(communitySettings)
    .values({ comuneId, ...set })
    .onConflictDoUpdate({ target: communitySettings.comuneId, set: { ...set, updatedAt: sql`now()` } });
}

// ───────────────────────────── Un euro all'ora ─────────────────────────────

export type FamilyAssistantRow = typeof programmeFamilyAssistants.$inferSelect;

export async function listFamilyAssistants(q: Queryable, programmeId: string): Promise<FamilyAssistantRow[]> {
  return q.select().from(programmeFamilyAssistants).where(eq(programmeFamilyAssistants.programmeId, programmeId)).orderBy(asc(programmeFamilyAssistants.contractStart), asc(programmeFamilyAssistants.id));
}

/**
 * Records a family assistant on a programme. A resource, when named, must be an active family
 * assistant serving the programme's comune (400 on `resourceId` otherwise).
 */
export async function addFamilyAssistant(db: Db, programmeId: string, input: FamilyAssistantInput, actor: Actor): Promise<FamilyAssistantRow> {
  const { name } = checkFamilyAssistant(input);
  return db.transaction(async (tx) => {
    const row = await lockProgramme(tx, programmeId);
    if (!row) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
    if (input.resourceId) {
      const [ok] = await tx
        .select({ id: resources.id })
        .from(resources)
        .innerJoin(resourceComuni, and(eq(resourceComuni.resourceId, resources.id), eq(resourceComuni.comuneId, row.comuneId)))
        .where(and(eq(resources.id, input.resourceId), eq(resources.kind, 'family_assistant'), eq(resources.active, true)));
      if (!ok) throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { resourceId: { key: 'community:error.notFamilyAssistant' } } });
    }
    const [saved] = await tx
      .insert(programmeFamilyAssistants)
      .values({
        programmeId,
        comuneId: row.comuneId,
        resourceId: input.resourceId ?? null,
        name,
        contractStart: input.contractStart,
        contractEnd: input.contractEnd ?? null,
        weeklyHours: input.weeklyHours as number,
        employmentReference: input.employmentReference.trim(),
        createdBy: actor.staffId,
      })
      .returning();
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'family_assistant.create', subjectType: 'programme', subjectId: programmeId, comuneId: row.comuneId, requestId: actor.requestId });
    return saved!;
  });
}

/** *Un euro all'ora*: the incentive due to the programme's family for a month "YYYY-MM". */
export async function programmeIncentive(q: Queryable, programme: { id: string; comuneId: string }, month: string): Promise<MonthlyIncentive> {
  const settings = await loadIncentiveSettings(q, programme.comuneId);
  const assistants = await listFamilyAssistants(q, programme.id);
  return computeMonthlyIncentive(
    month,
    settings,
    assistants.map((a) => ({ id: a.id, contractStart: a.contractStart, contractEnd: a.contractEnd, weeklyHours: a.weeklyHours })),
  );
}

// ───────────────────────────── Demo data ─────────────────────────────

/**
 * Demo data for this area, for the lead to call from the demo seeder (after the case demo, so
 * people and volunteer associations exist): Abbiategrasso's incentive saved explicitly
 * (1 €/h, 160 € cap) and one open on-demand shopping request (8A) waiting in Albairate, which
 * the demo volunteer associations serving Albairate may take.
 * Idempotent enough for a fresh database (does nothing when the request reference exists).
 */
export async function seedCommunityDemo(tx: Queryable): Promise<void> {
  const [exists] = await tx.select({ id: helpRequests.id }).from(helpRequests).where(eq(helpRequests.reference, 'R-DEMO-SPESA'));
  if (exists) return;
  await tx
    .insert(communitySettings)
    .values({ comuneId: 'abbiategrasso', incentiveCentsPerHour: DEFAULT_INCENTIVE.centsPerHour, incentiveMonthlyCapCents: DEFAULT_INCENTIVE.monthlyCapCents })
    .onConflictDoNothing();
  const [person] = await tx.select({ id: people.id }).from(people).where(and(eq(people.comuneId, 'albairate'), isNull(people.erasedAt))).orderBy(asc(people.createdAt)).limit(1);
  await tx.insert(helpRequests).values({
    reference: 'R-DEMO-SPESA',
    personId: person?.id ?? null,
    comuneId: 'albairate',
    kind: 'on_demand',
    service: '8A',
    family: '8',
    requestedStart: DateTime.now().setZone(ROME_ZONE).plus({ days: 2 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 }).toJSDate(),
    status: 'new',
  });
}

/** Used by the routes to tell whether a provider account may act for a resource. */
export function ownsResource(resourceIds: readonly string[], resourceId: string | null): boolean {
  return resourceId !== null && resourceIds.includes(resourceId);
}
