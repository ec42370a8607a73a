/**
 * Records born in chat (issue #5), for staff:
 *   POST  /api/v1/people/{id}/link-codes       one-time code to link a chat identity (shown once)
 *   GET   /api/v1/help-requests                help requests of the caller's comuni
 *   GET   /api/v1/help-requests/{id}           one request (audited read)
 *   PATCH /api/v1/help-requests/{id}           take in charge, done / cancelled (told like /status)
 *   GET   /api/v1/segnalazioni                 reports of the caller's comuni (no names in the list)
 *   GET   /api/v1/segnalazioni/{id}            one report (audited read)
 *   PATCH /api/v1/segnalazioni/{id}            take in charge / close
 * Admin, social workers and operators; a record outside the caller's comuni answers 404.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { DomainError } from '../../core/errors.ts';
import { recordAudit } from '../../db/audit.ts';
import { issueLinkCode } from '../../db/chat-link.ts';
import {
  getHelpRequest,
  getSegnalazione,
  listHelpRequests,
  listSegnalazioni,
  updateHelpRequest,
  type RecordScope,
} from '../../db/chat-records.ts';
import { REQUEST_STATUSES, SEGNALAZIONE_STATUSES, type StaffRole } from '../../db/schema.ts';
import type { StaffIdentity } from '../../db/staff.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { canSeeComune, requireRole } from '../guard.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';
import { createRouter } from '../router.ts';
import { currentStaff, deniedForScope, isUuid, loadPersonInScope, notFound } from '../scope.ts';
import { changeSegnalazioneStatus, closeHelpRequest } from './console-cases.ts';
import { lockHelpRequest } from '../../db/segnalazione-status.ts';

const ROLES: readonly StaffRole[] = ['admin', 'social_worker', 'operator'];

const IdParam = z.object({ id: z.string().max(100).openapi({ param: { name: 'id', in: 'path' }, example: '00000000-0000-4000-8000-000000000000' }) });
const ListQuery = z.object({
  comuneId: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().datetime({ offset: true }).optional(),
});

const LinkCodeSchema = z.object({ code: z.string().openapi({ example: 'ACDE-7FGH' }), expiresAt: z.string() }).openapi('LinkCode');

const HelpRequestSchema = z
  .object({
    id: z.string().uuid(),
    reference: z.string(),
    kind: z.enum(['visit', 'on_demand']),
    status: z.enum(REQUEST_STATUSES),
    comuneId: z.string().nullable(),
    personId: z.string().nullable(),
    requesterPersonId: z.string().nullable(),
    conversationId: z.string().nullable(),
    service: z.string().nullable(),
    family: z.string().nullable(),
    requestedStart: z.string().nullable(),
    requestedText: z.string().nullable(),
    programmeId: z.string().nullable(),
    visitId: z.string().nullable(),
    resourceId: z.string().nullable(),
    assignedStaffId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('HelpRequest');

const SegnalazioneSummarySchema = z
  .object({
    id: z.string().uuid(),
    reference: z.string(),
    status: z.enum(SEGNALAZIONE_STATUSES),
    urgency: z.enum(['normal', 'high', 'immediate']),
    comuneId: z.string().nullable(),
    reporterRole: z.string().nullable(),
    problems: z.array(z.string()),
    immediateRisk: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('SegnalazioneSummary');

const SegnalazioneSchema = SegnalazioneSummarySchema.extend({
  conversationId: z.string().nullable(),
  reporterName: z.string().nullable(),
  subjectName: z.string().nullable(),
  subjectAddress: z.string().nullable(),
  personId: z.string().nullable(),
  details: z.string().nullable(),
  livesAlone: z.boolean().nullable(),
  personAware: z.boolean().nullable(),
  consentToContact: z.boolean().nullable(),
  takenBy: z.string().nullable(),
  takenAt: z.string().nullable(),
  applicationId: z.string().nullable(),
  updatedAt: z.string(),
}).openapi('Segnalazione');

const Informed = z.boolean().openapi({ description: 'True when a message was written to the citizen\'s chat conversation (and queued for Telegram/SMS).' });

const linkCodeRoute = createRoute({
  method: 'post',
  path: '/api/v1/people/{id}/link-codes',
  tags: ['Chat records'],
  summary: 'Issue a one-time code that links a chat identity to this person',
  description: '8 characters, valid 24 hours, single use; shown only in this answer and stored hashed. Issuing a new code retires the previous unused ones. Give it to the person (or their delegate) to type in the chat.',
  security: staffSecurity,
  request: { params: IdParam },
  responses: {
    201: { description: 'The code, shown once', content: { 'application/json': { schema: LinkCodeSchema } } },
    ...errorResponses(401, 403, 404),
  },
});

const listRequestsRoute = createRoute({
  method: 'get',
  path: '/api/v1/help-requests',
  tags: ['Chat records'],
  summary: 'Help requests from chat, newest first',
  security: staffSecurity,
  request: { query: ListQuery.extend({ status: z.enum(REQUEST_STATUSES).optional() }) },
  responses: {
    200: { description: 'Requests', content: { 'application/json': { schema: z.object({ helpRequests: z.array(HelpRequestSchema) }) } } },
    ...errorResponses(400, 401, 403),
  },
});

const getRequestRoute = createRoute({
  method: 'get',
  path: '/api/v1/help-requests/{id}',
  tags: ['Chat records'],
  summary: 'One help request',
  security: staffSecurity,
  request: { params: IdParam },
  responses: {
    200: { description: 'The request', content: { 'application/json': { schema: z.object({ helpRequest: HelpRequestSchema }) } } },
    ...errorResponses(401, 403, 404),
  },
});

const patchRequestRoute = createRoute({
  method: 'patch',
  path: '/api/v1/help-requests/{id}',
  tags: ['Chat records'],
  summary: 'Take a help request in charge, or mark it done or cancelled (the person is told)',
  description: '`takeInCharge` assigns the request to the caller (status assigned if new). `status` done or cancelled goes the way of POST /api/v1/help-requests/{id}/status (the person is told in the chat). A resource, day and time are set only by POST /api/v1/help-requests/{id}/confirm (art. 8 checked, the person is told).',
  security: staffSecurity,
  request: {
    params: IdParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            takeInCharge: z.boolean().optional(),
            // resourceId is gone and "scheduled" is refused: they need the checks and the notice of /confirm.
            status: z.enum(REQUEST_STATUSES).optional(),
          }),
        },
      },
    },
  },
  responses: {
    200: { description: 'The request', content: { 'application/json': { schema: z.object({ helpRequest: HelpRequestSchema, informed: Informed }) } } },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const listSegnalazioniRoute = createRoute({
  method: 'get',
  path: '/api/v1/segnalazioni',
  tags: ['Chat records'],
  summary: 'Segnalazioni, immediate risk first (no names in the list)',
  security: staffSecurity,
  request: { query: ListQuery.extend({ status: z.enum(SEGNALAZIONE_STATUSES).optional() }) },
  responses: {
    200: { description: 'Segnalazioni', content: { 'application/json': { schema: z.object({ segnalazioni: z.array(SegnalazioneSummarySchema) }) } } },
    ...errorResponses(400, 401, 403),
  },
});

const getSegnalazioneRoute = createRoute({
  method: 'get',
  path: '/api/v1/segnalazioni/{id}',
  tags: ['Chat records'],
  summary: 'One segnalazione (audited read)',
  security: staffSecurity,
  request: { params: IdParam },
  responses: {
    200: { description: 'The segnalazione', content: { 'application/json': { schema: z.object({ segnalazione: SegnalazioneSchema }) } } },
    ...errorResponses(401, 403, 404),
  },
});

const patchSegnalazioneRoute = createRoute({
  method: 'patch',
  path: '/api/v1/segnalazioni/{id}',
  tags: ['Chat records'],
  summary: 'Take a segnalazione in charge or close it, telling the reporter in their chat',
  description: 'received → taken_in_charge → closed, the same as POST /api/v1/segnalazioni/{id}/status: the reporter reads the new status in the chat, nothing more.',
  security: staffSecurity,
  request: {
    params: IdParam,
    body: { required: true, content: { 'application/json': { schema: z.strictObject({ status: z.enum(['taken_in_charge', 'closed']) }) } } },
  },
  responses: {
    200: { description: 'The segnalazione', content: { 'application/json': { schema: z.object({ segnalazione: SegnalazioneSchema, informed: Informed }) } } },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

function scopeOf(staff: StaffIdentity): RecordScope {
  if (staff.role === 'admin') return { comuni: null, includeNoComune: true };
  return { comuni: staff.comuni, includeNoComune: staff.role === 'operator' };
}

function visible(staff: StaffIdentity, comuneId: string | null): boolean {
  if (comuneId === null) return staff.role === 'admin' || staff.role === 'operator';
  return canSeeComune(staff, comuneId);
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function requestView(r: NonNullable<Awaited<ReturnType<typeof getHelpRequest>>>) {
  return { ...r, requestedStart: iso(r.requestedStart), createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() };
}

function segnalazioneView(s: NonNullable<Awaited<ReturnType<typeof getSegnalazione>>>) {
  return { ...s, takenAt: iso(s.takenAt), createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString() };
}

export function chatRecordRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const app = createRouter();
  app.use('/api/v1/people/:id/link-codes', requireRole(deps, ROLES));
  app.use('/api/v1/help-requests', requireRole(deps, ROLES));
  app.use('/api/v1/help-requests/:id', requireRole(deps, ROLES));
  app.use('/api/v1/segnalazioni', requireRole(deps, ROLES));
  app.use('/api/v1/segnalazioni/:id', requireRole(deps, ROLES));

  /** Loads a record in the caller's scope, or 404 (audited when it exists but is out of scope). */
  async function inScope<T extends { comuneId: string | null }>(c: Context<AppEnv>, type: string, id: string, load: (id: string) => Promise<T | undefined>): Promise<T> {
    const staff = currentStaff(c);
    if (!isUuid(id)) throw notFound();
    const row = await load(id);
    if (!row) throw notFound();
    if (!visible(staff, row.comuneId)) throw await deniedForScope(deps, c, type, id, row.comuneId);
    return row;
  }

  const audit = (c: Context<AppEnv>, action: string, subjectType: string, subjectId: string, comuneId: string | null) =>
    recordAudit(db, { actorType: 'staff', actorId: currentStaff(c).id, action, subjectType, subjectId, comuneId, requestId: c.get('requestId') });

  return app
    .openapi(linkCodeRoute, async (c) => {
      const { id } = c.req.valid('param');
      const person = await loadPersonInScope(deps, c, id, { action: 'person.link_code.issue', reason: 'chat linking' });
      const issued = await issueLinkCode(db, { personId: person.id, issuedBy: currentStaff(c).id, now: deps.now() });
      deps.logger.info({ personId: person.id, requestId: c.get('requestId') }, 'link code issued');
      return c.json({ code: issued.display, expiresAt: issued.expiresAt.toISOString() }, 201);
    })
    .openapi(listRequestsRoute, async (c) => {
      const query = c.req.valid('query');
      const rows = await listHelpRequests(db, scopeOf(currentStaff(c)), {
        limit: query.limit,
        ...(query.status ? { status: query.status } : {}),
        ...(query.comuneId ? { comuneId: query.comuneId } : {}),
        ...(query.before ? { before: new Date(query.before) } : {}),
      });
      return c.json({ helpRequests: rows.map(requestView) }, 200);
    })
    .openapi(getRequestRoute, async (c) => {
      const row = await inScope(c, 'help_request', c.req.valid('param').id, (id) => getHelpRequest(db, id));
      await audit(c, 'help_request.read', 'help_request', row.id, row.comuneId);
      return c.json({ helpRequest: requestView(row) }, 200);
    })
    .openapi(patchRequestRoute, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const staff = currentStaff(c);
      await inScope(c, 'help_request', id, (x) => getHelpRequest(db, x));
      const now = deps.now();
      const result = await db.transaction(async (tx) => {
        const row = await lockHelpRequest(tx, id);
        if (!row) throw notFound();
        if (body.status === 'scheduled' && row.status !== 'scheduled') {
          throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { status: { key: 'fixes:useConfirm' } } });
        }
        if (body.status !== undefined && body.status !== row.status && (body.status === 'new' || (body.status === 'assigned' && row.status !== 'new'))) {
          throw new DomainError('CONFLICT', { key: 'chat:records.badTransition', params: { from: row.status, to: body.status } });
        }
        // Taking in charge is internal: the person hears when the day is confirmed or the request closed.
        const set: Parameters<typeof updateHelpRequest>[2] = {};
        if (body.takeInCharge) set.assignedStaffId = staff.id;
        if ((body.takeInCharge || body.status === 'assigned') && row.status === 'new') set.status = 'assigned';
        if (Object.keys(set).length > 0) await updateHelpRequest(tx, id, set, now);
        const informed = body.status === 'done' || body.status === 'cancelled' ? await closeHelpRequest(deps, tx, { ...row, status: set.status ?? row.status }, body.status, now) : false;
        return { request: (await getHelpRequest(tx, id))!, informed };
      });
      await audit(c, 'help_request.update', 'help_request', id, result.request.comuneId);
      return c.json({ helpRequest: requestView(result.request), informed: result.informed }, 200);
    })
    .openapi(listSegnalazioniRoute, async (c) => {
      const query = c.req.valid('query');
      const rows = await listSegnalazioni(db, scopeOf(currentStaff(c)), {
        limit: query.limit,
        ...(query.status ? { status: query.status } : {}),
        ...(query.comuneId ? { comuneId: query.comuneId } : {}),
        ...(query.before ? { before: new Date(query.before) } : {}),
      });
      return c.json({ segnalazioni: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) }, 200);
    })
    .openapi(getSegnalazioneRoute, async (c) => {
      const row = await inScope(c, 'segnalazione', c.req.valid('param').id, (id) => getSegnalazione(db, id));
      await audit(c, 'segnalazione.read', 'segnalazione', row.id, row.comuneId);
      return c.json({ segnalazione: segnalazioneView(row) }, 200);
    })
    .openapi(patchSegnalazioneRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { status } = c.req.valid('json');
      const staff = currentStaff(c);
      await inScope(c, 'segnalazione', id, (x) => getSegnalazione(db, x));
      const result = await changeSegnalazioneStatus(deps, id, status, staff.id);
      await audit(c, 'segnalazione.update', 'segnalazione', id, result.segnalazione.comuneId);
      return c.json({ segnalazione: segnalazioneView(result.segnalazione), informed: result.informed }, 200);
    });
}
