/**
 * Console pages for segnalazioni, chat requests, applications (assessment form) and the waiting
 * list (issue #7), plus the few case actions the existing API lacked, each telling the citizen
 * in the same transaction as the change (db/segnalazione-status.ts):
 *   PATCH /api/v1/segnalazioni/{id}/triage        urgency and comune
 *   POST  /api/v1/segnalazioni/{id}/status        take in charge / close, the reporter is told
 *   POST  /api/v1/segnalazioni/{id}/application   ex officio application (art. 4) from the report
 *   POST  /api/v1/help-requests/{id}/check        art. 8 preview of a day and time with the person's facts
 *   POST  /api/v1/help-requests/{id}/confirm      resource, day and time (art. 8 checked), the person is told
 *   POST  /api/v1/help-requests/{id}/status       done / cancelled, the person is told
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { romeDateOf } from '../../core/applications/dates.ts';
import { DomainError, RuleViolation, type MessageRef } from '../../core/errors.ts';
import { checkVisitPlan } from '../../core/regulation/delivery.ts';
import { createApplication } from '../../db/applications.ts';
import { recordAudit } from '../../db/audit.ts';
import { listComuni } from '../../db/comuni.ts';
import { getHelpRequest, getSegnalazione, REQUEST_TRANSITIONS, resourceOffers, resourceServes, SEGNALAZIONE_TRANSITIONS } from '../../db/chat-records.ts';
import type { Db } from '../../db/client.ts';
import {
  confirmHelpRequest,
  deliveryContext,
  linkSegnalazioneApplication,
  lockHelpRequest,
  lockSegnalazione,
  setHelpRequestStatus,
  setSegnalazioneStatus,
  tellConversation,
  updateSegnalazioneTriage,
} from '../../db/segnalazione-status.ts';
import type { RequestStatus, SegnalazioneStatus, StaffRole } from '../../db/schema.ts';
import type { StaffIdentity } from '../../db/staff.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { canSeeComune, requireRole } from '../guard.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';
import { createRouter } from '../router.ts';
import { currentStaff, deniedForScope, isUuid, loadPersonInScope, notFound } from '../scope.ts';
import { renderApplication, renderApplications, renderRequest, renderRequests, renderSegnalazione, renderSegnalazioni, renderWaitingList, type ComuneOption } from '../web/console/cases.ts';
import { consolePageKit } from './console.ts';

const CASE_ROLES: readonly StaffRole[] = ['admin', 'social_worker', 'operator'];
const APPLICATION_ROLES: readonly StaffRole[] = ['admin', 'social_worker'];
const TAG = 'Console cases';
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

const IdParam = z.object({ id: z.string().max(100).openapi({ param: { name: 'id', in: 'path' }, example: '00000000-0000-4000-8000-000000000000' }) });
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });

const SegnalazioneState = z
  .object({ id: z.string().uuid(), reference: z.string(), status: z.string(), urgency: z.string(), comuneId: z.string().nullable(), immediateRisk: z.boolean(), applicationId: z.string().nullable(), personId: z.string().nullable() })
  .openapi('SegnalazioneState');
const RequestState = z
  .object({ id: z.string().uuid(), reference: z.string(), status: z.string(), comuneId: z.string().nullable(), resourceId: z.string().nullable(), requestedStart: z.string().nullable(), assignedStaffId: z.string().nullable() })
  .openapi('HelpRequestState');
const Informed = z.boolean().openapi({ description: 'True when a message was written to the citizen\'s chat conversation (and queued for Telegram/SMS).' });

const triageRoute = createRoute({
  method: 'patch',
  path: '/api/v1/segnalazioni/{id}/triage',
  tags: [TAG],
  summary: 'Triage a segnalazione: urgency and the comune that handles it',
  description: 'The new comune must be one of the caller\'s. `immediate` urgency marks the immediate risk (pinned first).',
  security: staffSecurity,
  request: { params: IdParam, ...body(z.strictObject({ urgency: z.enum(['normal', 'high', 'immediate']).optional(), comuneId: z.string().min(1).max(100).optional() })) },
  responses: { 200: json(z.object({ segnalazione: SegnalazioneState }), 'Triaged'), ...errorResponses(400, 401, 403, 404, 409) },
});

const segStatusRoute = createRoute({
  method: 'post',
  path: '/api/v1/segnalazioni/{id}/status',
  tags: [TAG],
  summary: 'Take a segnalazione in charge or close it, telling the reporter in their chat',
  description: 'received → taken_in_charge → closed. The reporter reads the new status only, nothing about the person.',
  security: staffSecurity,
  request: { params: IdParam, ...body(z.strictObject({ status: z.enum(['taken_in_charge', 'closed']) })) },
  responses: { 200: json(z.object({ segnalazione: SegnalazioneState, informed: Informed }), 'Changed'), ...errorResponses(400, 401, 403, 404, 409) },
});

const segApplicationRoute = createRoute({
  method: 'post',
  path: '/api/v1/segnalazioni/{id}/application',
  tags: [TAG],
  summary: 'Open an ex officio application (art. 4) for the reported person',
  description: 'Records the application (origin ex_officio, with this segnalazione), links it and the person to the segnalazione and takes it in charge (the reporter is told) in one transaction.',
  security: staffSecurity,
  request: { params: IdParam, ...body(z.strictObject({ personId: z.string().uuid(), note: z.string().trim().min(1).max(2000).optional() })) },
  responses: {
    201: json(z.object({ applicationId: z.string().uuid(), applicationStatus: z.string(), segnalazione: SegnalazioneState, informed: Informed }), 'Opened'),
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
});

const confirmRoute = createRoute({
  method: 'post',
  path: '/api/v1/help-requests/{id}/confirm',
  tags: [TAG],
  summary: 'Confirm a help request: resource, day and time (art. 8 checked); the person is told',
  description: 'Start as Rome wall-clock "YYYY-MM-DDTHH:MM", whole hours; the art. 8 rules (Monday–Saturday 08:00–20:00, Sunday only for people alone) are checked like POST /api/v1/visits/check. The resource must serve the request\'s comune. Status becomes scheduled.',
  security: staffSecurity,
  request: {
    params: IdParam,
    ...body(z.strictObject({ resourceId: z.string().uuid(), start: z.string().max(40).openapi({ example: '2026-11-23T09:00' }), hours: z.number() })),
  },
  responses: {
    200: json(z.object({ helpRequest: RequestState, warnings: z.array(z.object({}).passthrough()), informed: Informed }), 'Confirmed'),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const checkRoute = createRoute({
  method: 'post',
  path: '/api/v1/help-requests/{id}/check',
  tags: [TAG],
  summary: 'Check a day and time for a help request against art. 8, without saving',
  description: 'The same check as /confirm, with the facts of the person\'s record (Sunday only for people living alone without family) and the comune\'s patron day. Nothing is saved.',
  security: staffSecurity,
  request: { params: IdParam, ...body(z.strictObject({ start: z.string().max(40).openapi({ example: '2026-11-23T09:00' }), hours: z.number() })) },
  responses: {
    200: json(z.object({ visits: z.array(z.object({}).passthrough()), weeks: z.array(z.object({}).passthrough()), warnings: z.array(z.object({}).passthrough()) }), 'Checked'),
    ...errorResponses(400, 401, 403, 404),
  },
});

const reqStatusRoute = createRoute({
  method: 'post',
  path: '/api/v1/help-requests/{id}/status',
  tags: [TAG],
  summary: 'Mark a help request done or cancelled, telling the person in their chat',
  security: staffSecurity,
  request: { params: IdParam, ...body(z.strictObject({ status: z.enum(['done', 'cancelled']) })) },
  responses: { 200: json(z.object({ helpRequest: RequestState, informed: Informed }), 'Changed'), ...errorResponses(400, 401, 403, 404, 409) },
});

/**
 * Art. 8 for one visit of a request, with the person's own facts: the preview (/check) and the
 * confirmation share it so the page never promises what the confirmation refuses.
 */
async function checkRequestVisit(q: Db, request: { personId: string | null; comuneId: string | null }, start: string, hours: number): Promise<ReturnType<typeof checkVisitPlan>> {
  const context = await deliveryContext(q, request.personId, request.comuneId);
  try {
    return checkVisitPlan([{ start, hours }], context);
  } catch (err) {
    // The rule names fields "visits.0.start" / "visits.0.hours" / "weeks.…": this form has start and hours.
    if (err instanceof RuleViolation && err.fields) {
      const fields: Record<string, MessageRef> = {};
      for (const [k, v] of Object.entries(err.fields)) fields[k.replace(/^visits\.0\./, '').replace(/^weeks\..*$/, 'hours')] = v;
      throw new RuleViolation(err.rule ?? 'art. 8', err.messageRef, fields);
    }
    throw err;
  }
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
const tellText = (deps: AppDeps, key: string, reference: string) => (l: string) => deps.i18n.t(`consoleCases:${key}`, { reference, lng: l });

/**
 * Moves a segnalazione (locked by the caller) to `status` and tells the reporter in their chat;
 * the console route and the older PATCH /api/v1/segnalazioni/{id} share it so neither is silent.
 * Returns whether a message was written.
 */
export async function moveSegnalazione(deps: AppDeps, tx: Tx, row: { id: string; status: SegnalazioneStatus; conversationId: string | null; reference: string }, status: 'taken_in_charge' | 'closed', staffId: string, now: Date): Promise<boolean> {
  if (status === row.status) return false;
  if (!SEGNALAZIONE_TRANSITIONS[row.status].includes(status)) throw conflict('chat:records.badTransition', { from: row.status, to: status });
  await setSegnalazioneStatus(tx, row.id, status, staffId, now);
  if (!row.conversationId) return false;
  return (await tellConversation(tx, row.conversationId, tellText(deps, `tell.segnalazione.${status}`, row.reference))) !== null;
}

/** Locks the segnalazione, moves it and tells the reporter, in one transaction (console and PATCH route). */
export async function changeSegnalazioneStatus(deps: AppDeps, id: string, status: 'taken_in_charge' | 'closed', staffId: string) {
  const now = deps.now();
  return deps.database.db.transaction(async (tx) => {
    const row = await lockSegnalazione(tx, id);
    if (!row) throw notFound();
    const informed = await moveSegnalazione(deps, tx, row, status, staffId, now);
    return { segnalazione: (await getSegnalazione(tx, id))!, informed };
  });
}

/** Marks a help request (locked by the caller) done or cancelled and tells the person; shared like moveSegnalazione. */
export async function closeHelpRequest(deps: AppDeps, tx: Tx, row: { id: string; status: RequestStatus; conversationId: string | null; reference: string }, status: 'done' | 'cancelled', now: Date): Promise<boolean> {
  if (status === row.status) return false;
  if (!REQUEST_TRANSITIONS[row.status].includes(status)) throw conflict('chat:records.badTransition', { from: row.status, to: status });
  await setHelpRequestStatus(tx, row.id, status, now);
  if (!row.conversationId) return false;
  return (await tellConversation(tx, row.conversationId, tellText(deps, `tell.request.${status}`, row.reference))) !== null;
}

function visible(staff: StaffIdentity, comuneId: string | null): boolean {
  if (comuneId === null) return staff.role === 'admin' || staff.role === 'operator';
  return canSeeComune(staff, comuneId);
}

const conflict = (key: string, params?: MessageRef['params']) => new DomainError('CONFLICT', params ? { key, params } : { key });
const fieldError = (field: string, key: string) => new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { [field]: { key } } });

function segView(s: NonNullable<Awaited<ReturnType<typeof getSegnalazione>>>) {
  return { id: s.id, reference: s.reference, status: s.status, urgency: s.urgency, comuneId: s.comuneId, immediateRisk: s.immediateRisk, applicationId: s.applicationId, personId: s.personId };
}
function reqView(r: NonNullable<Awaited<ReturnType<typeof getHelpRequest>>>) {
  return { id: r.id, reference: r.reference, status: r.status, comuneId: r.comuneId, resourceId: r.resourceId, requestedStart: r.requestedStart ? r.requestedStart.toISOString() : null, assignedStaffId: r.assignedStaffId };
}

export function consoleCasesRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const kit = consolePageKit(deps);
  const app = createRouter();
  app.use('/api/v1/segnalazioni/:id/triage', requireRole(deps, CASE_ROLES));
  app.use('/api/v1/segnalazioni/:id/status', requireRole(deps, CASE_ROLES));
  app.use('/api/v1/segnalazioni/:id/application', requireRole(deps, APPLICATION_ROLES));
  app.use('/api/v1/help-requests/:id/confirm', requireRole(deps, CASE_ROLES));
  app.use('/api/v1/help-requests/:id/check', requireRole(deps, CASE_ROLES));
  app.use('/api/v1/help-requests/:id/status', requireRole(deps, CASE_ROLES));

  const tt = (key: string, locale: string, params: Record<string, string | number>) => deps.i18n.t(`consoleCases:${key}`, { ...params, lng: locale });
  const audit = (c: Context<AppEnv>, action: string, subjectType: string, subjectId: string, comuneId: string | null, reason?: string) =>
    recordAudit(db, { actorType: 'staff', actorId: currentStaff(c).id, action, subjectType, subjectId, comuneId, requestId: c.get('requestId'), ...(reason ? { reason } : {}) });

  /** The record when the caller may see it, else 404 (audited when it exists elsewhere). */
  async function inScope<T extends { comuneId: string | null }>(c: Context<AppEnv>, type: string, id: string, load: (id: string) => Promise<T | undefined>): Promise<T> {
    if (!isUuid(id)) throw notFound();
    const row = await load(id);
    if (!row) throw notFound();
    if (!visible(currentStaff(c), row.comuneId)) throw await deniedForScope(deps, c, type, id, row.comuneId);
    return row;
  }

  /** The comuni a page may offer: every comune for an admin, the staff member's own otherwise. */
  async function comuniFor(staff: StaffIdentity): Promise<ComuneOption[]> {
    const all = await listComuni(db);
    return all.filter((x) => staff.role === 'admin' || staff.comuni.includes(x.id)).map((x) => ({ id: x.id, name: x.name }));
  }

  async function shell(c: Context<AppEnv>, roles: readonly StaffRole[], render: (p: { i18n: typeof deps.i18n; locale: 'it' | 'en'; staff: StaffIdentity; comuni: ComuneOption[] }) => ReturnType<typeof renderSegnalazioni>) {
    const signed = await kit.pageFor(c, roles);
    if (signed instanceof Response) return signed;
    return c.html(render({ i18n: deps.i18n, locale: signed.locale, staff: signed.staff, comuni: await comuniFor(signed.staff) }));
  }
  const idOf = (c: Context<AppEnv>) => (isUuid(c.req.param('id') ?? '') ? c.req.param('id')! : NIL_UUID);

  app.get('/staff/segnalazioni', (c) => shell(c, CASE_ROLES, (p) => renderSegnalazioni(p)));
  app.get('/staff/segnalazioni/:id', (c) => shell(c, CASE_ROLES, (p) => renderSegnalazione(p, idOf(c))));
  app.get('/staff/requests', (c) => shell(c, CASE_ROLES, (p) => renderRequests(p)));
  app.get('/staff/requests/:id', (c) => shell(c, CASE_ROLES, (p) => renderRequest(p, idOf(c))));
  app.get('/staff/applications', (c) => shell(c, APPLICATION_ROLES, (p) => renderApplications(p)));
  app.get('/staff/applications/:id', (c) => shell(c, APPLICATION_ROLES, (p) => renderApplication(p, idOf(c), { year: Number(romeDateOf(deps.now()).slice(0, 4)) })));
  app.get('/staff/waiting-list', (c) => {
    const wanted = c.req.query('comune');
    return shell(c, APPLICATION_ROLES, (p) => renderWaitingList(p, p.comuni.some((x) => x.id === wanted) ? wanted : undefined));
  });

  return app
    .openapi(triageRoute, async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const staff = currentStaff(c);
      await inScope(c, 'segnalazione', id, (x) => getSegnalazione(db, x));
      if (input.comuneId !== undefined && !canSeeComune(staff, input.comuneId)) throw fieldError('comuneId', 'consoleCases:errors.comuneNotServed');
      if (input.comuneId !== undefined && !(await listComuni(db)).some((x) => x.id === input.comuneId)) throw fieldError('comuneId', 'consoleCases:errors.comuneNotServed');
      const now = deps.now();
      const updated = await db.transaction(async (tx) => {
        const row = await lockSegnalazione(tx, id);
        if (!row) throw notFound();
        if (row.status === 'closed') throw conflict('consoleCases:errors.closed');
        await updateSegnalazioneTriage(tx, id, { ...(input.urgency ? { urgency: input.urgency } : {}), ...(input.comuneId ? { comuneId: input.comuneId } : {}) }, now);
        return (await getSegnalazione(tx, id))!;
      });
      await audit(c, 'segnalazione.triage', 'segnalazione', id, updated.comuneId, updated.urgency);
      return c.json({ segnalazione: segView(updated) }, 200);
    })
    .openapi(segStatusRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { status } = c.req.valid('json');
      const staff = currentStaff(c);
      await inScope(c, 'segnalazione', id, (x) => getSegnalazione(db, x));
      const result = await changeSegnalazioneStatus(deps, id, status, staff.id);
      await audit(c, 'segnalazione.update', 'segnalazione', id, result.segnalazione.comuneId, status);
      return c.json({ segnalazione: segView(result.segnalazione), informed: result.informed }, 200);
    })
    .openapi(segApplicationRoute, async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const staff = currentStaff(c);
      const seg = await inScope(c, 'segnalazione', id, (x) => getSegnalazione(db, x));
      const person = await loadPersonInScope(deps, c, input.personId);
      if (seg.comuneId !== null && person.comuneId !== seg.comuneId) throw fieldError('personId', 'consoleCases:errors.personOtherComune');
      const now = deps.now();
      const today = romeDateOf(now);
      const result = await db.transaction(async (tx) => {
        const row = await lockSegnalazione(tx, id);
        if (!row) throw notFound();
        if (row.applicationId) throw conflict('consoleCases:errors.alreadyLinked');
        if (row.status === 'closed') throw conflict('consoleCases:errors.closed');
        // A savepoint inside this transaction: the application, the link and the message stand or fall together.
        const { application } = await createApplication(tx as unknown as Db, { personId: person.id, origin: 'ex_officio', applicationDate: today, segnalazioneId: id, ...(input.note ? { note: input.note } : {}), today }, { staffId: staff.id, requestId: c.get('requestId') });
        await linkSegnalazioneApplication(tx, id, { personId: person.id, applicationId: application.id, staffId: staff.id }, now);
        let informed = false;
        if (row.status === 'received' && row.conversationId) {
          informed = (await tellConversation(tx, row.conversationId, (l) => tt('tell.segnalazione.taken_in_charge', l, { reference: row.reference }))) !== null;
        }
        return { application, segnalazione: (await getSegnalazione(tx, id))!, informed };
      });
      await audit(c, 'segnalazione.application', 'segnalazione', id, result.segnalazione.comuneId, `application ${result.application.id}`);
      return c.json({ applicationId: result.application.id, applicationStatus: result.application.status, segnalazione: segView(result.segnalazione), informed: result.informed }, 201);
    })
    .openapi(confirmRoute, async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const staff = currentStaff(c);
      const request = await inScope(c, 'help_request', id, (x) => getHelpRequest(db, x));
      const plan = await checkRequestVisit(db, request, input.start, input.hours);
      const checked = plan.visits[0]!;
      const start = new Date(checked.start);
      const now = deps.now();
      const result = await db.transaction(async (tx) => {
        const row = await lockHelpRequest(tx, id);
        if (!row) throw notFound();
        if (row.status === 'done' || row.status === 'cancelled') throw conflict('consoleCases:errors.requestClosed');
        if (!(await resourceServes(tx, input.resourceId, row.comuneId))) throw fieldError('resourceId', 'consoleCases:errors.resourceNotServing');
        if (!(await resourceOffers(tx, input.resourceId, request.service))) throw fieldError('resourceId', 'fixes:resourceNoService');
        await confirmHelpRequest(tx, id, { resourceId: input.resourceId, start, staffId: staff.id, keepAssignee: row.assignedStaffId !== null }, now);
        let informed = false;
        if (row.conversationId) {
          informed =
            (await tellConversation(tx, row.conversationId, (l) => {
              const tag = l === 'en' ? 'en-GB' : 'it-IT';
              const date = start.toLocaleDateString(tag, { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'Europe/Rome' });
              const time = start.toLocaleTimeString(tag, { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Rome' });
              return tt('tell.request.scheduled', l, { reference: row.reference, date, time, hours: input.hours });
            })) !== null;
        }
        return { request: (await getHelpRequest(tx, id))!, informed };
      });
      await audit(c, 'help_request.confirm', 'help_request', id, result.request.comuneId, `resource ${input.resourceId}`);
      return c.json({ helpRequest: reqView(result.request), warnings: plan.warnings as unknown as Record<string, unknown>[], informed: result.informed }, 200);
    })
    .openapi(checkRoute, async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const request = await inScope(c, 'help_request', id, (x) => getHelpRequest(db, x));
      const plan = await checkRequestVisit(db, request, input.start, input.hours);
      return c.json({ visits: plan.visits as unknown as Record<string, unknown>[], weeks: plan.weeks as unknown as Record<string, unknown>[], warnings: plan.warnings as unknown as Record<string, unknown>[] }, 200);
    })
    .openapi(reqStatusRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { status } = c.req.valid('json');
      await inScope(c, 'help_request', id, (x) => getHelpRequest(db, x));
      const now = deps.now();
      const result = await db.transaction(async (tx) => {
        const row = await lockHelpRequest(tx, id);
        if (!row) throw notFound();
        const informed = await closeHelpRequest(deps, tx, row, status, now);
        return { request: (await getHelpRequest(tx, id))!, informed };
      });
      await audit(c, 'help_request.update', 'help_request', id, result.request.comuneId, status);
      return c.json({ helpRequest: reqView(result.request), informed: result.informed }, 200);
    });
}
