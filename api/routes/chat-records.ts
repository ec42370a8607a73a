/**
 * Records born in chat (issue #5), for staff:
 *   POST  /api/v1/people/{id}/link-codes       one-time code to link a chat identity (shown once)
 *   GET   /api/v1/help-requests                help requests of the caller's comuni
 *   GET   /api/v1/help-requests/{id}           one request (audited read)
 *   PATCH /api/v1/help-requests/{id}           take in charge, assign a resource, change status
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
  REQUEST_TRANSITIONS,
  resourceServes,
  SEGNALAZIONE_TRANSITIONS,
  updateHelpRequest,
  updateSegnalazione,
  type RecordScope,
} from '../../db/chat-records.ts';
import { REQUEST_STATUSES, SEGNALAZIONE_STATUSES, type StaffRole } from '../../db/schema.ts';
import type { StaffIdentity } from '../../db/staff.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { canSeeComune, requireRole } from '../guard.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';
import { createRouter } from '../router.ts';
import { currentStaff, deniedForScope, isUuid, loadPersonInScope, notFound } from '../scope.ts';

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
  summary: 'Take a help request in charge, assign a resource or change its status',
  description: 'Status moves forward only: new → assigned → scheduled → done, or cancelled. `takeInCharge` assigns the request to the caller (status assigned if new).',
  security: staffSecurity,
  request: {
    params: IdParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            takeInCharge: z.boolean().optional(),
            status: z.enum(REQUEST_STATUSES).optional(),
            resourceId: z.string().uuid().nullable().optional(),
          }),
        },
      },
    },
  },
  responses: {
    200: { description: 'The request', content: { 'application/json': { schema: z.object({ helpRequest: HelpRequestSchema }) } } },
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
  summary: 'Take a segnalazione in charge or close it',
  description: 'received → taken_in_charge → closed. The reporter can then read "taken in charge" in the chat, nothing more.',
  security: staffSecurity,
  request: {
    params: IdParam,
    body: { required: true, content: { 'application/json': { schema: z.strictObject({ status: z.enum(['taken_in_charge', 'closed']) }) } } },
  },
  responses: {
    200: { description: 'The segnalazione', content: { 'application/json': { schema: z.object({ segnalazione: SegnalazioneSchema }) } } },
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
      const updated = await db.transaction(async (tx) => {
        const row = (await getHelpRequest(tx, id, true))!;
        const set: Parameters<typeof updateHelpRequest>[2] = {};
        let status = row.status;
        if (body.takeInCharge) {
          set.assignedStaffId = staff.id;
          if (status === 'new') status = 'assigned';
        }
        if (body.status && body.status !== row.status) {
          if (!REQUEST_TRANSITIONS[row.status].includes(body.status)) {
            throw new DomainError('CONFLICT', { key: 'chat:records.badTransition', params: { from: row.status, to: body.status } });
          }
          status = body.status;
        }
        if (status !== row.status) {
          if (row.status === 'done' || row.status === 'cancelled') throw new DomainError('CONFLICT', { key: 'chat:records.badTransition', params: { from: row.status, to: status } });
          set.status = status;
        }
        if (body.resourceId !== undefined) {
          if (body.resourceId !== null && !(await resourceServes(tx, body.resourceId, row.comuneId))) {
            throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { resourceId: { key: 'chat:records.unknownResource' } } });
          }
          set.resourceId = body.resourceId;
        }
        if (Object.keys(set).length > 0) await updateHelpRequest(tx, id, set, now);
        return (await getHelpRequest(tx, id))!;
      });
      await audit(c, 'help_request.update', 'help_request', id, updated.comuneId);
      return c.json({ helpRequest: requestView(updated) }, 200);
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
      const now = deps.now();
      const updated = await db.transaction(async (tx) => {
        const row = (await getSegnalazione(tx, id, true))!;
        if (status !== row.status) {
          if (!SEGNALAZIONE_TRANSITIONS[row.status].includes(status)) {
            throw new DomainError('CONFLICT', { key: 'chat:records.badTransition', params: { from: row.status, to: status } });
          }
          await updateSegnalazione(tx, id, status === 'taken_in_charge' ? { status, takenBy: staff.id, takenAt: now } : { status }, now);
        }
        return (await getSegnalazione(tx, id))!;
      });
      await audit(c, 'segnalazione.update', 'segnalazione', id, updated.comuneId);
      return c.json({ segnalazione: segnalazioneView(updated) }, 200);
    });
}
