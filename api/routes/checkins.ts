/**
 * Check-ins with people living alone (issue #9): enrol a person (with their consent), change or
 * pause the enrolment, read the check-ins on a person's file, today's view for the custode, and
 * the one-click follow-up. Roles: admin, social worker and operator (a custode sociale works
 * with an operator account scoped to their comune); everything is scoped to the person's comune.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { DomainError, type MessageRef } from '../../core/errors.ts';
import { DEFAULT_GRACE_MINUTES, isValidWindowStart, MAX_GRACE_MINUTES, MIN_GRACE_MINUTES } from '../../core/checkins/schedule.ts';
import { isIsoDate, romeDate } from '../../core/regulation/calendar.ts';
import { recordAudit } from '../../db/audit.ts';
import {
  findCheckinConsent,
  findEnrolment,
  findOccurrence,
  insertEnrolment,
  invalidContacts,
  listToday,
  liveEnrolmentOf,
  lockEnrolment,
  personCheckins,
  recordFollowUp,
  updateEnrolment,
  type EnrolmentRow,
  type OccurrenceRow,
  type TodayRow,
} from '../../db/checkins.ts';
import { people } from '../../db/schema.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { assertComuneInScope, canSeeComune, requireRole } from '../guard.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';
import { createRouter } from '../router.ts';
import { currentStaff, deniedForScope, isUuid, loadPersonInScope, notFound } from '../scope.ts';
import { eq } from 'drizzle-orm';

const TAG = 'Check-ins';
export const CHECKIN_ROLES = ['admin', 'social_worker', 'operator'] as const;

const Hm = z.string().max(5).openapi({ example: '10:00' });
const Weekdays = z.array(z.number().int().min(1).max(7)).min(1).max(7).openapi({ example: [1, 2, 3, 4, 5] });
const Contact = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('staff'), staffUserId: z.string().uuid() }),
  z.strictObject({ kind: z.literal('delegate'), personId: z.string().uuid() }),
]);
const Channel = z.enum(['telegram', 'sms', 'web']);

const EnrolmentSchema = z
  .object({
    id: z.string(),
    personId: z.string(),
    comuneId: z.string(),
    status: z.enum(['active', 'paused', 'stopped']),
    weekdays: z.array(z.number()),
    windowStart: z.string(),
    channel: Channel.nullable(),
    contacts: z.array(z.record(z.string(), z.string())),
    graceMinutes: z.number(),
    onHolidays: z.boolean(),
    consentId: z.string(),
    pausedUntil: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('CheckinEnrolment');

const OccurrenceSchema = z
  .object({
    id: z.string(),
    localDate: z.string(),
    dueAt: z.string(),
    status: z.string(),
    skipReason: z.string().nullable(),
    channel: z.string().nullable(),
    conversationId: z.string().nullable(),
    promptedAt: z.string().nullable(),
    repromptedAt: z.string().nullable(),
    answer: z.string().nullable(),
    answeredAt: z.string().nullable(),
    escalatedAt: z.string().nullable(),
    escalationReason: z.string().nullable(),
    followUp: z.string().nullable(),
    followUpAt: z.string().nullable(),
  })
  .openapi('CheckinOccurrence');

const TodaySchema = z
  .object({
    occurrenceId: z.string().nullable(),
    enrolmentId: z.string(),
    personId: z.string(),
    givenName: z.string().nullable(),
    familyName: z.string().nullable(),
    comuneId: z.string(),
    comuneName: z.string(),
    dueAt: z.string(),
    status: z.string(),
    bucket: z.enum(['answered', 'waiting', 'no_answer', 'help', 'skipped', 'scheduled']),
    skipReason: z.string().nullable(),
    channel: z.string().nullable(),
    conversationId: z.string().nullable(),
    promptedAt: z.string().nullable(),
    answeredAt: z.string().nullable(),
    escalatedAt: z.string().nullable(),
    followUp: z.string().nullable(),
    followUpAt: z.string().nullable(),
    openTasks: z.number(),
  })
  .openapi('CheckinToday');

const EnrolBody = z.strictObject({
  personId: z.string().max(100),
  weekdays: Weekdays,
  windowStart: Hm,
  channel: Channel.nullable().optional(),
  contacts: z.array(Contact).max(10).default([]),
  graceMinutes: z.number().int().min(MIN_GRACE_MINUTES).max(MAX_GRACE_MINUTES).default(DEFAULT_GRACE_MINUTES),
  onHolidays: z.boolean().default(false),
  consentId: z.string().uuid().optional(),
});

const PatchBody = z.strictObject({
  weekdays: Weekdays.optional(),
  windowStart: Hm.optional(),
  channel: Channel.nullable().optional(),
  contacts: z.array(Contact).max(10).optional(),
  graceMinutes: z.number().int().min(MIN_GRACE_MINUTES).max(MAX_GRACE_MINUTES).optional(),
  onHolidays: z.boolean().optional(),
  status: z.enum(['active', 'paused', 'stopped']).optional(),
  pausedUntil: z.string().max(10).nullable().optional().openapi({ example: '2026-12-01' }),
});

const FollowUpBody = z.strictObject({ action: z.enum(['called', 'task']) });

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const enrolmentJson = (e: EnrolmentRow) => ({
  id: e.id,
  personId: e.personId,
  comuneId: e.comuneId,
  status: e.status,
  weekdays: e.weekdays,
  windowStart: e.windowStart,
  channel: e.channel,
  contacts: e.contacts as unknown as Record<string, string>[],
  graceMinutes: e.graceMinutes,
  onHolidays: e.onHolidays,
  consentId: e.consentId,
  pausedUntil: e.pausedUntil,
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
});
const occurrenceJson = (o: OccurrenceRow) => ({
  id: o.id,
  localDate: o.localDate,
  dueAt: o.dueAt.toISOString(),
  status: o.status,
  skipReason: o.skipReason,
  channel: o.channel,
  conversationId: o.conversationId,
  promptedAt: iso(o.promptedAt),
  repromptedAt: iso(o.repromptedAt),
  answer: o.answer,
  answeredAt: iso(o.answeredAt),
  escalatedAt: iso(o.escalatedAt),
  escalationReason: o.escalationReason,
  followUp: o.followUp,
  followUpAt: iso(o.followUpAt),
});

function fieldError(fields: Record<string, MessageRef>): DomainError {
  return new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields });
}

export function checkinRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const app = createRouter();
  const allowed = requireRole(deps, CHECKIN_ROLES);
  const audit = (c: Context<AppEnv>, action: string, subjectType: string, subjectId: string, comuneId: string | null, reason?: string) =>
    recordAudit(db, { actorType: 'staff', actorId: currentStaff(c).id, action, subjectType, subjectId, comuneId, ...(reason ? { reason } : {}), requestId: c.get('requestId') });

  /** The enrolment, if the caller may see its person (404, audited, otherwise). */
  async function enrolmentInScope(c: Context<AppEnv>, id: string): Promise<EnrolmentRow> {
    if (!isUuid(id)) throw notFound();
    const e = await findEnrolment(db, id);
    if (!e) throw notFound();
    if (!canSeeComune(currentStaff(c), e.comuneId)) throw await deniedForScope(deps, c, 'checkin_enrolment', id, e.comuneId);
    return e;
  }

  async function checkContacts(personId: string, comuneId: string, contacts: Parameters<typeof invalidContacts>[3]) {
    const bad = await invalidContacts(db, personId, comuneId, contacts);
    if (bad.length > 0) throw fieldError(Object.fromEntries(bad.map((i) => [`contacts.${i}`, { key: 'checkins:errors.contact' }])));
  }

  const enrolRoute = createRoute({
    method: 'post',
    path: '/api/v1/checkins/enrolments',
    tags: [TAG],
    summary: 'Enrol a person in daily check-ins (needs their consent, purpose check_ins)',
    description:
      'Weekdays 1 (Monday) … 7 (Sunday); windowStart "HH:mm" in 08:00–19:30, Europe/Rome. Defaults: channel = the person\'s preferred one, graceMinutes 30, public holidays and the patron day skipped (onHolidays false). Without a valid consent the answer is 422.',
    security: staffSecurity,
    middleware: [allowed],
    request: { body: { required: true, content: { 'application/json': { schema: EnrolBody } } } },
    responses: { 201: { description: 'Enrolled', content: { 'application/json': { schema: EnrolmentSchema } } }, ...errorResponses(400, 401, 403, 404, 409, 422) },
  });

  const getRoute = createRoute({
    method: 'get',
    path: '/api/v1/checkins/enrolments/{id}',
    tags: [TAG],
    summary: 'One enrolment',
    security: staffSecurity,
    middleware: [allowed],
    request: { params: z.object({ id: z.string().max(100) }) },
    responses: { 200: { description: 'Enrolment', content: { 'application/json': { schema: EnrolmentSchema } } }, ...errorResponses(401, 403, 404) },
  });

  const patchRoute = createRoute({
    method: 'patch',
    path: '/api/v1/checkins/enrolments/{id}',
    tags: [TAG],
    summary: 'Change, pause, resume or stop an enrolment (only the fields sent)',
    description: 'status "paused" with pausedUntil (last day of the pause, or null = until resumed); "stopped" is final (enrol again to restart).',
    security: staffSecurity,
    middleware: [allowed],
    request: { params: z.object({ id: z.string().max(100) }), body: { required: true, content: { 'application/json': { schema: PatchBody } } } },
    responses: { 200: { description: 'Updated', content: { 'application/json': { schema: EnrolmentSchema } } }, ...errorResponses(400, 401, 403, 404, 409) },
  });

  const personRoute = createRoute({
    method: 'get',
    path: '/api/v1/people/{id}/checkins',
    tags: [TAG],
    summary: "The check-ins on a person's file: enrolments and the last 60 days' outcomes (audited read)",
    security: staffSecurity,
    middleware: [allowed],
    request: { params: z.object({ id: z.string().max(100) }) },
    responses: {
      200: { description: 'Check-ins', content: { 'application/json': { schema: z.object({ enrolments: z.array(EnrolmentSchema), occurrences: z.array(OccurrenceSchema) }) } } },
      ...errorResponses(401, 403, 404),
    },
  });

  const todayRoute = createRoute({
    method: 'get',
    path: '/api/v1/checkins/today',
    tags: [TAG],
    summary: "Today's check-ins in the caller's comuni (the custode's view)",
    description: 'Most urgent first: help, no answer, waiting, still to send, answered, skipped.',
    security: staffSecurity,
    middleware: [allowed],
    request: { query: z.object({ comune: z.string().max(100).optional() }) },
    responses: { 200: { description: 'Today', content: { 'application/json': { schema: z.object({ date: z.string(), checkins: z.array(TodaySchema) }) } } }, ...errorResponses(400, 401, 403, 404) },
  });

  const followUpRoute = createRoute({
    method: 'post',
    path: '/api/v1/checkins/occurrences/{id}/follow-up',
    tags: [TAG],
    summary: 'One-click follow-up: "called" (closes its open tasks) or "task" (opens one)',
    security: staffSecurity,
    middleware: [allowed],
    request: { params: z.object({ id: z.string().max(100) }), body: { required: true, content: { 'application/json': { schema: FollowUpBody } } } },
    responses: { 200: { description: 'Recorded', content: { 'application/json': { schema: OccurrenceSchema } } }, ...errorResponses(400, 401, 403, 404, 409) },
  });

  return app
    .openapi(enrolRoute, async (c) => {
      const input = c.req.valid('json');
      const staff = currentStaff(c);
      if (!isValidWindowStart(input.windowStart)) throw fieldError({ windowStart: { key: 'checkins:errors.windowStart' } });
      const person = await loadPersonInScope(deps, c, input.personId);
      if (!person.comuneId) throw fieldError({ personId: { key: 'checkins:errors.noPerson' } });
      const comuneId = person.comuneId;
      await checkContacts(person.id, comuneId, input.contacts);
      const consentId = await findCheckinConsent(db, person.id, input.consentId);
      if (!consentId) throw new DomainError('NOT_ELIGIBLE', { key: 'checkins:errors.noConsent' }, { fields: { consentId: { key: 'checkins:errors.noConsent' } } });
      const now = deps.now();
      const enrolment = await db.transaction(async (tx) => {
        // The person's row lock serialises two enrolments of the same person.
        await tx.select({ id: people.id }).from(people).where(eq(people.id, person.id)).for('update');
        if (await liveEnrolmentOf(tx, person.id)) throw new DomainError('CONFLICT', { key: 'checkins:errors.alreadyEnrolled' });
        return insertEnrolment(tx, {
          personId: person.id,
          comuneId,
          consentId,
          createdBy: staff.id,
          now,
          weekdays: input.weekdays,
          windowStart: input.windowStart,
          channel: input.channel ?? null,
          contacts: input.contacts,
          graceMinutes: input.graceMinutes,
          onHolidays: input.onHolidays,
        });
      });
      await audit(c, 'checkin.enrol', 'person', person.id, comuneId, `enrolment=${enrolment.id}`);
      return c.json(enrolmentJson(enrolment), 201);
    })
    .openapi(getRoute, async (c) => {
      const e = await enrolmentInScope(c, c.req.valid('param').id);
      await audit(c, 'checkin.enrolment.read', 'person', e.personId, e.comuneId);
      return c.json(enrolmentJson(e), 200);
    })
    .openapi(patchRoute, async (c) => {
      const patch = c.req.valid('json');
      const e = await enrolmentInScope(c, c.req.valid('param').id);
      if (patch.windowStart !== undefined && !isValidWindowStart(patch.windowStart)) throw fieldError({ windowStart: { key: 'checkins:errors.windowStart' } });
      if (patch.pausedUntil !== undefined && patch.pausedUntil !== null && !isIsoDate(patch.pausedUntil)) throw fieldError({ pausedUntil: { key: 'errors:field.invalidFormat' } });
      if (patch.contacts) await checkContacts(e.personId, e.comuneId, patch.contacts);
      const updated = await db.transaction(async (tx) => {
        const locked = await lockEnrolment(tx, e.id);
        if (!locked || locked.status === 'stopped') throw new DomainError('CONFLICT', { key: 'checkins:errors.closed' });
        return updateEnrolment(tx, e.id, patch, deps.now());
      });
      await audit(c, patch.status === 'stopped' ? 'checkin.stop' : patch.status === 'paused' ? 'checkin.pause' : 'checkin.update', 'person', e.personId, e.comuneId, `fields=${Object.keys(patch).sort().join(',')}`);
      return c.json(enrolmentJson(updated), 200);
    })
    .openapi(personRoute, async (c) => {
      const person = await loadPersonInScope(deps, c, c.req.valid('param').id, { action: 'person.checkins.read' });
      const { enrolments, occurrences } = await personCheckins(db, person.id);
      return c.json({ enrolments: enrolments.map(enrolmentJson), occurrences: occurrences.map(occurrenceJson) }, 200);
    })
    .openapi(todayRoute, async (c) => {
      const staff = currentStaff(c);
      const { comune } = c.req.valid('query');
      if (comune !== undefined) await assertComuneInScope(deps, c, comune);
      const scope = comune !== undefined ? [comune] : staff.role === 'admin' ? null : staff.comuni;
      const now = deps.now();
      const rows: TodayRow[] = await listToday(db, scope, now);
      // The list names people: the read is audited like any list of files.
      await audit(c, 'checkin.today.read', 'comune', comune ?? 'all', comune ?? null, `rows=${rows.length}`);
      return c.json({ date: romeDate(now), checkins: rows }, 200);
    })
    .openapi(followUpRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { action } = c.req.valid('json');
      if (!isUuid(id)) throw notFound();
      const occ = await findOccurrence(db, id);
      if (!occ) throw notFound();
      const staff = currentStaff(c);
      if (!canSeeComune(staff, occ.comuneId)) throw await deniedForScope(deps, c, 'checkin_occurrence', id, occ.comuneId);
      await db.transaction((tx) => recordFollowUp(tx, occ, action, staff.id, deps.now()));
      await audit(c, `checkin.follow_up.${action}`, 'person', occ.personId, occ.comuneId, `occurrence=${occ.id}`);
      return c.json(occurrenceJson((await findOccurrence(db, id))!), 200);
    });
}
