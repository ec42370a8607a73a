/**
 * Community resources (issue #9):
 *   GET   /api/v1/light-requests                          open (or assigned) light requests
 *   GET   /api/v1/light-requests/{id}                     one request; the taker sees whom to help (audited)
 *   POST  /api/v1/light-requests/{id}/assignment          give it to a volunteer / helper (or take it)
 *   POST  /api/v1/light-requests/{id}/schedule            the resource confirms date and time
 *   GET   /api/v1/programmes/{id}/volunteer-redemptions   *Un buono per amico* redemptions of a programme
 *   POST  /api/v1/programmes/{id}/volunteer-redemptions   redeem voucher hours delivered by volunteers
 *   GET   /api/v1/programmes/{id}/family-assistants       *Un euro all'ora*: assistants on the programme
 *   POST  /api/v1/programmes/{id}/family-assistants       record one
 *   GET   /api/v1/programmes/{id}/family-assistant-incentive?month=YYYY-MM
 *   GET   /api/v1/comuni/{id}/community-settings          volunteer voucher services and incentive
 *   PATCH /api/v1/comuni/{id}/community-settings
 *
 * Roles: admin everything; social_worker their comuni; operator light requests only (they run the
 * centrale) — no ledger, no incentive; provider only through a volunteer association or helper it
 * works for: the light requests that resource may take or has taken, and volunteer redemptions for
 * people it has taken a request for. Anything outside the caller's scope answers 404 (audited).
 */
import { LedgerEntrySchema } from './programmes.ts';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { DateTime } from 'luxon';
import { checkIncentiveSettings } from '../../core/community/family-assistant.ts';
import { requestServiceCode } from '../../core/community/light-services.ts';
import { DomainError, type MessageRef } from '../../core/errors.ts';
import { ROME_ZONE } from '../../core/regulation/calendar.ts';
import { isArt7Code } from '../../core/regulation/services.ts';
import { lockComune, loadComuneSettings, saveComuneSettings } from '../../db/admin.ts';
import { recordAudit } from '../../db/audit.ts';
import {
  addFamilyAssistant,
  assignLightRequest,
  canResourceTake,
  findLightRequest,
  lightRequestContact,
  lightResourcesOf,
  listAssignedLightRequests,
  listFamilyAssistants,
  listOpenLightRequests,
  listVolunteerRedemptions,
  loadIncentiveSettings,
  programmeIncentive,
  redeemWithVolunteer,
  releaseLightRequest,
  romeDateTime,
  saveIncentiveSettings,
  scheduleLightRequest,
  volunteerRequestFor,
  type FamilyAssistantRow,
  type LightRequestRow,
  type LightScope,
} from '../../db/community.ts';
import { ledgerEntryView } from '../../db/ledger.ts';
import { programmes, type StaffRole } from '../../db/schema.ts';
import type { StaffIdentity } from '../../db/staff.ts';
import { findResource } from '../../db/resources.ts';
import { eq } from 'drizzle-orm';
import type { AppDeps, AppEnv } from '../context.ts';
import { assertComuneInScope, canSeeComune, requireRole } from '../guard.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';
import { createRouter } from '../router.ts';
import { currentStaff, deniedForScope, isUuid, loadProgrammeInScope, notFound, type ScopedProgramme } from '../scope.ts';

const ALL: readonly StaffRole[] = ['admin', 'social_worker', 'operator', 'provider'];
const STAFF: readonly StaffRole[] = ['admin', 'social_worker'];
const STAFF_AND_PROVIDER: readonly StaffRole[] = ['admin', 'social_worker', 'provider'];
const TAG = 'Community resources';

const IdParam = z.object({ id: z.string().max(100).openapi({ param: { name: 'id', in: 'path' }, example: '00000000-0000-4000-8000-000000000000' }) });
const json = <T extends z.ZodTypeAny>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
const ok = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });
const isoDate = z.string().max(10).openapi({ example: '2026-03-01' });

const LightRequestSchema = z
  .object({
    id: z.string().uuid(),
    reference: z.string(),
    status: z.enum(['new', 'assigned', 'scheduled', 'done', 'cancelled']),
    comuneId: z.string().nullable(),
    service: z.string().nullable().openapi({ description: 'Service code (8A, COMPAGNIA…)' }),
    requestedStart: z.string().nullable(),
    resourceId: z.string().nullable(),
    assignedAt: z.string().nullable(),
    scheduledStart: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('LightRequest');
const ContactSchema = z
  .object({ givenName: z.string().nullable(), familyName: z.string().nullable(), address: z.string().nullable(), phone: z.string().nullable() })
  .openapi('LightRequestContact');


const FamilyAssistantSchema = z
  .object({
    id: z.string().uuid(),
    programmeId: z.string().uuid(),
    comuneId: z.string(),
    resourceId: z.string().nullable(),
    name: z.string().nullable(),
    contractStart: z.string(),
    contractEnd: z.string().nullable(),
    weeklyHours: z.number().int(),
    employmentReference: z.string(),
    createdAt: z.string(),
  })
  .openapi('FamilyAssistant');

const IncentiveSchema = z.object({ centsPerHour: z.number().int(), monthlyCapCents: z.number().int() });
const CommunitySettingsSchema = z
  .object({ comuneId: z.string(), volunteerVoucherServices: z.array(z.string()), incentive: IncentiveSchema.extend({ isDefault: z.boolean() }) })
  .openapi('CommunitySettings');

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function lightView(r: LightRequestRow) {
  return {
    id: r.id,
    reference: r.reference,
    status: r.status,
    comuneId: r.comuneId,
    service: requestServiceCode(r),
    requestedStart: iso(r.requestedStart),
    resourceId: r.resourceId,
    assignedAt: iso(r.assignedAt),
    scheduledStart: iso(r.scheduledStart),
    createdAt: r.createdAt.toISOString(),
  };
}

function assistantView(a: FamilyAssistantRow) {
  return {
    id: a.id,
    programmeId: a.programmeId,
    comuneId: a.comuneId,
    resourceId: a.resourceId,
    name: a.name,
    contractStart: a.contractStart,
    contractEnd: a.contractEnd,
    weeklyHours: a.weeklyHours,
    employmentReference: a.employmentReference,
    createdAt: a.createdAt.toISOString(),
  };
}

function fieldError(field: string, ref: MessageRef): DomainError {
  return new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { [field]: ref } });
}

/** An instant from an ISO date-time (with offset, or Rome wall clock without one). */
function parseInstant(value: string, field: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) throw fieldError(field, { key: 'community:error.invalidDateTime' });
  const parsed = DateTime.fromISO(value, { zone: ROME_ZONE });
  if (!parsed.isValid) throw fieldError(field, { key: 'community:error.invalidDateTime' });
  return parsed.toJSDate();
}

export function communityRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const app = createRouter();
  const t = (key: string, locale: string, params: Record<string, string> = {}) => deps.i18n.t(key, { ...params, lng: locale === 'en' ? 'en' : 'it' });

  async function scopeOf(staff: StaffIdentity): Promise<LightScope> {
    if (staff.role === 'admin') return { comuni: null, resources: null };
    if (staff.role === 'provider') return { comuni: null, resources: await lightResourcesOf(db, staff.resources) };
    return { comuni: staff.comuni, resources: null };
  }

  /**
   * Loads a light request the caller may see, or 404 (audited when it exists). Staff: by comune.
   * Providers: assigned to one of their resources, or still open and takeable by one of them.
   */
  async function lightInScope(c: Context<AppEnv>, id: string): Promise<{ row: LightRequestRow; mine: boolean }> {
    const staff = currentStaff(c);
    if (!isUuid(id)) throw notFound();
    const row = await findLightRequest(db, id);
    if (!row) throw notFound();
    if (staff.role === 'provider') {
      const own = await lightResourcesOf(db, staff.resources);
      const mine = row.resourceId !== null && own.some((r) => r.id === row.resourceId);
      const canTake = row.status === 'new' && row.resourceId === null && own.some((r) => canResourceTake(r, row) === null);
      if (!mine && !canTake) throw await deniedForScope(deps, c, 'help_request', id, row.comuneId);
      return { row, mine };
    }
    if (row.comuneId === null ? staff.role !== 'admin' : !canSeeComune(staff, row.comuneId)) throw await deniedForScope(deps, c, 'help_request', id, row.comuneId);
    return { row, mine: true };
  }

  /** Providers may act only for a resource they work for. */
  function assertOwnResource(staff: StaffIdentity, resourceId: string): void {
    if (staff.role === 'provider' && !staff.resources.includes(resourceId)) throw fieldError('resourceId', { key: 'community:error.notYourResource' });
  }

  const actorOf = (c: Context<AppEnv>) => ({ staffId: currentStaff(c).id, requestId: c.get('requestId') });
  const audit = (c: Context<AppEnv>, action: string, subjectType: string, subjectId: string, comuneId: string | null, reason?: string) =>
    recordAudit(db, { actorType: 'staff', actorId: currentStaff(c).id, action, subjectType, subjectId, comuneId, ...(reason ? { reason } : {}), requestId: c.get('requestId') });

  /** A volunteer account sees a programme only when its resource took a light request for the person. */
  async function programmeForVolunteer(c: Context<AppEnv>, id: string): Promise<{ programme: ScopedProgramme; helpRequestId: string }> {
    const staff = currentStaff(c);
    if (!isUuid(id)) throw notFound();
    const [row] = await db
      .select({ id: programmes.id, personId: programmes.personId, comuneId: programmes.comuneId, resourceId: programmes.resourceId })
      .from(programmes)
      .where(eq(programmes.id, id));
    if (!row) throw notFound();
    const own = (await lightResourcesOf(db, staff.resources)).map((r) => r.id);
    const helpRequestId = await volunteerRequestFor(db, row.personId, own);
    if (!helpRequestId) throw await deniedForScope(deps, c, 'programme', id, row.comuneId);
    return { programme: row, helpRequestId };
  }

  const listRoute = createRoute({
    method: 'get',
    path: '/api/v1/light-requests',
    tags: [TAG],
    summary: 'Light on-demand requests (accompaniment, shopping, company) open to volunteers, or already assigned',
    description:
      'view=open (default): on-demand requests for a light service (8A, COMPAGNIA) nobody has taken, oldest first; with resourceId, only those that resource may take (it serves the comune and offers the service). view=assigned: assigned or scheduled ones. Providers see only what their volunteer association or helper may take or has taken. No names here.',
    security: staffSecurity,
    middleware: [requireRole(deps, ALL)] as const,
    request: {
      query: z.object({
        view: z.enum(['open', 'assigned']).default('open'),
        resourceId: z.string().max(100).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
    },
    responses: { 200: ok('Requests', z.object({ lightRequests: z.array(LightRequestSchema) })), ...errorResponses(400, 401, 403, 404) },
  });

  const getRoute = createRoute({
    method: 'get',
    path: '/api/v1/light-requests/{id}',
    tags: [TAG],
    summary: 'One light request; staff and the resource that took it also see whom to help (audited)',
    security: staffSecurity,
    middleware: [requireRole(deps, ALL)] as const,
    request: { params: IdParam },
    responses: { 200: ok('The request', z.object({ lightRequest: LightRequestSchema, contact: ContactSchema.nullable() })), ...errorResponses(401, 403, 404) },
  });

  const assignRoute = createRoute({
    method: 'post',
    path: '/api/v1/light-requests/{id}/assignment',
    tags: [TAG],
    summary: 'Give a light request to a volunteer association or occasional helper (a volunteer account takes it for itself)',
    description:
      'The resource must be a volunteer association or occasional helper, active, serving the comune and offering the service, and the request an on-demand light one (otherwise 422, rule "servizi leggeri"). A request already taken answers 409. The person is told in their chat.',
    security: staffSecurity,
    middleware: [requireRole(deps, ALL)] as const,
    request: { params: IdParam, body: json(z.strictObject({ resourceId: z.string().uuid() })) },
    responses: { 200: ok('The request', z.object({ lightRequest: LightRequestSchema })), ...errorResponses(400, 401, 403, 404, 409, 422) },
  });

  const releaseRoute = createRoute({
    method: 'delete',
    path: '/api/v1/light-requests/{id}/assignment',
    tags: [TAG],
    summary: 'Give a light request back: the volunteer or helper can no longer come',
    description:
      'The request must be assigned or scheduled (409 otherwise). It goes back to the open list, nobody assigned, for another volunteer to take; the person is told in their chat that someone else is being looked for. A volunteer account may give back only what its own resource took.',
    security: staffSecurity,
    middleware: [requireRole(deps, ALL)] as const,
    request: { params: IdParam },
    responses: { 200: ok('The request, open again', z.object({ lightRequest: LightRequestSchema })), ...errorResponses(401, 403, 404, 409) },
  });

  const scheduleRoute = createRoute({
    method: 'post',
    path: '/api/v1/light-requests/{id}/schedule',
    tags: [TAG],
    summary: 'Confirm (or move) the date and time the resource will come',
    description: 'startsAt is an ISO date-time (Rome wall clock without offset), in the future. The request must be assigned (409 otherwise). The person is told in their chat.',
    security: staffSecurity,
    middleware: [requireRole(deps, ALL)] as const,
    request: { params: IdParam, body: json(z.strictObject({ startsAt: z.string().max(40).openapi({ example: '2026-03-12T10:00' }) })) },
    responses: { 200: ok('The request', z.object({ lightRequest: LightRequestSchema })), ...errorResponses(400, 401, 403, 404, 409) },
  });

  const listRedemptionsRoute = createRoute({
    method: 'get',
    path: '/api/v1/programmes/{id}/volunteer-redemptions',
    tags: [TAG],
    summary: '*Un buono per amico*: voucher hours of the programme redeemed with volunteer associations',
    security: staffSecurity,
    middleware: [requireRole(deps, STAFF)] as const,
    request: { params: IdParam },
    responses: {
      200: ok('Redemptions', z.object({ redemptions: z.array(z.object({ ledgerEntryId: z.number().int(), resourceId: z.string(), service: z.string(), helpRequestId: z.string().nullable(), createdAt: z.string() })) })),
      ...errorResponses(401, 403, 404),
    },
  });

  const redeemRoute = createRoute({
    method: 'post',
    path: '/api/v1/programmes/{id}/volunteer-redemptions',
    tags: [TAG],
    summary: '*Un buono per amico*: redeem whole voucher hours delivered by a volunteer association',
    description:
      'Written in the same voucher ledger as every redemption. Fractional hours → 400 rule "art. 11"; a comune that does not allow the service with volunteers → 422 rule "un buono per amico"; a resource that is not an active volunteer association serving the comune and offering the service → 422; a service outside the programme → 422 rule "art. 11"; beyond the balance → 409 INSUFFICIENT_BALANCE.',
    security: staffSecurity,
    middleware: [requireRole(deps, STAFF_AND_PROVIDER)] as const,
    request: {
      params: IdParam,
      body: json(z.strictObject({ hours: z.number(), deliveredAt: z.string().max(40), resourceId: z.string().uuid(), service: z.string().trim().min(1).max(20) })),
    },
    responses: { 201: ok('The ledger entry', LedgerEntrySchema.extend({ service: z.string(), balanceHours: z.number().int() })), ...errorResponses(400, 401, 403, 404, 409, 422) },
  });

  const listAssistantsRoute = createRoute({
    method: 'get',
    path: '/api/v1/programmes/{id}/family-assistants',
    tags: [TAG],
    summary: "*Un euro all'ora*: family assistants employed regularly on the programme",
    security: staffSecurity,
    middleware: [requireRole(deps, STAFF)] as const,
    request: { params: IdParam },
    responses: { 200: ok('Assistants', z.object({ familyAssistants: z.array(FamilyAssistantSchema) })), ...errorResponses(401, 403, 404) },
  });

  const addAssistantRoute = createRoute({
    method: 'post',
    path: '/api/v1/programmes/{id}/family-assistants',
    tags: [TAG],
    summary: "*Un euro all'ora*: record a family assistant employed regularly (contract facts only, no health data)",
    description: 'A name or a resource of kind family_assistant serving the comune; contract start (and end, not before it); 1–54 weekly hours; the employment reference (INPS or payroll number).',
    security: staffSecurity,
    middleware: [requireRole(deps, STAFF)] as const,
    request: {
      params: IdParam,
      body: json(
        z.strictObject({
          name: z.string().trim().max(200).optional(),
          resourceId: z.string().uuid().optional(),
          contractStart: isoDate,
          contractEnd: isoDate.nullable().optional(),
          weeklyHours: z.number(),
          employmentReference: z.string().trim().min(1).max(100),
        }),
      ),
    },
    responses: { 201: ok('The assistant', z.object({ familyAssistant: FamilyAssistantSchema })), ...errorResponses(400, 401, 403, 404) },
  });

  const incentiveRoute = createRoute({
    method: 'get',
    path: '/api/v1/programmes/{id}/family-assistant-incentive',
    tags: [TAG],
    summary: "*Un euro all'ora*: the incentive due for a month",
    description: "Per contract: weekly hours × days of the contract in the month ÷ 7, rounded down to whole hours, × the comune's cents per hour; the programme's total is capped monthly (default 100 cents/h, cap 16,000 cents).",
    security: staffSecurity,
    middleware: [requireRole(deps, STAFF)] as const,
    request: { params: IdParam, query: z.object({ month: z.string().max(7).openapi({ example: '2026-03' }) }) },
    responses: {
      200: ok(
        'The incentive',
        z.object({
          programmeId: z.string(),
          month: z.string(),
          centsPerHour: z.number().int(),
          monthlyCapCents: z.number().int(),
          contracts: z.array(z.object({ id: z.string(), days: z.number().int(), hours: z.number().int(), amountCents: z.number().int() })),
          uncappedCents: z.number().int(),
          totalCents: z.number().int(),
          capped: z.boolean(),
        }),
      ),
      ...errorResponses(400, 401, 403, 404),
    },
  });

  const getSettingsRoute = createRoute({
    method: 'get',
    path: '/api/v1/comuni/{id}/community-settings',
    tags: [TAG],
    summary: "A comune's *Un buono per amico* services and *Un euro all'ora* incentive",
    security: staffSecurity,
    middleware: [requireRole(deps, STAFF)] as const,
    request: { params: IdParam },
    responses: { 200: ok('Settings', CommunitySettingsSchema), ...errorResponses(401, 403, 404) },
  });

  const patchSettingsRoute = createRoute({
    method: 'patch',
    path: '/api/v1/comuni/{id}/community-settings',
    tags: [TAG],
    summary: "Change a comune's volunteer voucher services and family-assistant incentive (only the fields sent)",
    description: 'volunteerVoucherServices: art. 7 or the comune\'s extra codes; incentive: whole cents, 0–2,000 per hour, monthly cap 0–200,000.',
    security: staffSecurity,
    middleware: [requireRole(deps, STAFF)] as const,
    request: {
      params: IdParam,
      body: json(
        z.strictObject({
          volunteerVoucherServices: z.array(z.string().trim().max(20)).max(40).optional(),
          incentive: z.strictObject({ centsPerHour: z.number(), monthlyCapCents: z.number() }).optional(),
        }),
      ),
    },
    responses: { 200: ok('Settings', CommunitySettingsSchema), ...errorResponses(400, 401, 403, 404) },
  });

  async function settingsJson(comuneId: string) {
    const settings = await loadComuneSettings(db, comuneId);
    if (!settings) throw notFound();
    return { comuneId, volunteerVoucherServices: settings.volunteerVoucherServices, incentive: await loadIncentiveSettings(db, comuneId) };
  }

  return app
    .openapi(listRoute, async (c) => {
      const staff = currentStaff(c);
      const query = c.req.valid('query');
      const scope = await scopeOf(staff);
      let resource;
      if (query.resourceId !== undefined) {
        if (!isUuid(query.resourceId)) throw notFound();
        resource = staff.role === 'provider' ? scope.resources!.find((r) => r.id === query.resourceId) : await findResource(db, query.resourceId);
        if (!resource) throw notFound();
      }
      const rows =
        query.view === 'assigned'
          ? await listAssignedLightRequests(db, scope, { limit: query.limit, ...(resource ? { resourceIds: [resource.id] } : {}) })
          : await listOpenLightRequests(db, scope, { limit: query.limit, ...(resource ? { resource } : {}) });
      return c.json({ lightRequests: rows.map(lightView) }, 200);
    })
    .openapi(getRoute, async (c) => {
      const { row, mine } = await lightInScope(c, c.req.valid('param').id);
      await audit(c, 'light_request.read', 'help_request', row.id, row.comuneId);
      // Whom to help is shown to staff and to the resource that took the request, never to a
      // volunteer who is only looking at what is open.
      let contact = null;
      if (mine && row.personId) {
        contact = (await lightRequestContact(db, row.personId)) ?? null;
        if (contact) await recordAudit(db, { actorType: 'staff', actorId: currentStaff(c).id, action: 'person.read', subjectType: 'person', subjectId: row.personId, comuneId: row.comuneId, reason: 'light request', requestId: c.get('requestId') });
      }
      return c.json({ lightRequest: lightView(row), contact }, 200);
    })
    .openapi(assignRoute, async (c) => {
      const staff = currentStaff(c);
      const { row } = await lightInScope(c, c.req.valid('param').id);
      const { resourceId } = c.req.valid('json');
      assertOwnResource(staff, resourceId);
      const updated = await assignLightRequest(db, row.id, resourceId, actorOf(c), deps.now(), (resource, reference) => (locale) => t('community:notice.assigned', locale, { resource, reference }));
      return c.json({ lightRequest: lightView(updated) }, 200);
    })
    .openapi(scheduleRoute, async (c) => {
      const staff = currentStaff(c);
      const { row, mine } = await lightInScope(c, c.req.valid('param').id);
      // A volunteer may confirm only what its own resource took.
      if (staff.role === 'provider' && !mine) throw await deniedForScope(deps, c, 'help_request', row.id, row.comuneId);
      const startsAt = parseInstant(c.req.valid('json').startsAt, 'startsAt');
      if (startsAt.getTime() <= deps.now().getTime()) throw fieldError('startsAt', { key: 'community:error.inThePast' });
      const updated = await scheduleLightRequest(db, row.id, startsAt, actorOf(c), deps.now(), (resource, reference, at) => (locale) => t('community:notice.scheduled', locale, { resource, reference, ...romeDateTime(at, locale) }));
      return c.json({ lightRequest: lightView(updated) }, 200);
    })
    .openapi(releaseRoute, async (c) => {
      const staff = currentStaff(c);
      const { row, mine } = await lightInScope(c, c.req.valid('param').id);
      // A volunteer may give back only what its own resource took (an open request it can see
      // answers 409 below, as to staff: nobody has it).
      if (staff.role === 'provider' && !mine && row.resourceId !== null) throw await deniedForScope(deps, c, 'help_request', row.id, row.comuneId);
      const updated = await releaseLightRequest(db, row.id, actorOf(c), deps.now(), (resource, reference) => (locale) => t('community:notice.released', locale, { resource, reference }));
      return c.json({ lightRequest: lightView(updated) }, 200);
    })
    .openapi(listRedemptionsRoute, async (c) => {
      const scoped = await loadProgrammeInScope(deps, c, c.req.valid('param').id);
      const rows = await listVolunteerRedemptions(db, scoped.id);
      await audit(c, 'ledger.read', 'programme', scoped.id, scoped.comuneId, 'volunteer redemptions');
      return c.json({ redemptions: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) }, 200);
    })
    .openapi(redeemRoute, async (c) => {
      const staff = currentStaff(c);
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      let programme: ScopedProgramme;
      let helpRequestId: string | undefined;
      if (staff.role === 'provider') {
        ({ programme, helpRequestId } = await programmeForVolunteer(c, id));
        assertOwnResource(staff, body.resourceId);
      } else {
        programme = await loadProgrammeInScope(deps, c, id);
        helpRequestId = await volunteerRequestFor(db, programme.personId, [body.resourceId]);
      }
      const deliveredAt = parseInstant(body.deliveredAt, 'deliveredAt');
      if (deliveredAt.getTime() > deps.now().getTime()) throw fieldError('deliveredAt', { key: 'community:error.deliveredInFuture' });
      const { entry, service, balanceHours } = await redeemWithVolunteer(db, programme.id, { hours: body.hours, deliveredAt, resourceId: body.resourceId, service: body.service, helpRequestId }, actorOf(c));
      return c.json({ ...ledgerEntryView(entry), service, balanceHours }, 201);
    })
    .openapi(listAssistantsRoute, async (c) => {
      const scoped = await loadProgrammeInScope(deps, c, c.req.valid('param').id);
      const rows = await listFamilyAssistants(db, scoped.id);
      await audit(c, 'family_assistant.read', 'programme', scoped.id, scoped.comuneId);
      return c.json({ familyAssistants: rows.map(assistantView) }, 200);
    })
    .openapi(addAssistantRoute, async (c) => {
      const scoped = await loadProgrammeInScope(deps, c, c.req.valid('param').id);
      const body = c.req.valid('json');
      const saved = await addFamilyAssistant(db, scoped.id, body, actorOf(c));
      return c.json({ familyAssistant: assistantView(saved) }, 201);
    })
    .openapi(incentiveRoute, async (c) => {
      const scoped = await loadProgrammeInScope(deps, c, c.req.valid('param').id);
      const result = await programmeIncentive(db, scoped, c.req.valid('query').month);
      await audit(c, 'family_assistant.incentive', 'programme', scoped.id, scoped.comuneId);
      return c.json({ programmeId: scoped.id, ...result }, 200);
    })
    .openapi(getSettingsRoute, async (c) => {
      const { id } = c.req.valid('param');
      await assertComuneInScope(deps, c, id);
      return c.json(await settingsJson(id), 200);
    })
    .openapi(patchSettingsRoute, async (c) => {
      const { id } = c.req.valid('param');
      const staff = await assertComuneInScope(deps, c, id);
      const body = c.req.valid('json');
      const incentive = body.incentive ? checkIncentiveSettings(body.incentive) : undefined;
      // Under the comune's row lock, like the admin settings: extra services and volunteer
      // services cannot drift apart when two people save at once.
      await db.transaction(async (tx) => {
        if (!(await lockComune(tx, id))) throw notFound();
        if (body.volunteerVoucherServices !== undefined) {
          const existing = (await loadComuneSettings(tx, id))!;
          const extras = new Set(existing.extraServices.map((e) => e.code));
          const codes = [...new Set(body.volunteerVoucherServices.map((s) => s.toUpperCase()))];
          const fields: Record<string, MessageRef> = {};
          codes.forEach((code, i) => {
            if (!isArt7Code(code) && !extras.has(code)) fields[`volunteerVoucherServices.${i}`] = { key: 'community:error.unknownService', params: { code } };
          });
          if (Object.keys(fields).length) throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields });
          await saveComuneSettings(tx, id, { volunteerVoucherServices: codes }, staff.id);
        }
        if (incentive) await saveIncentiveSettings(tx, id, incentive, staff.id);
      });
      await audit(c, 'community_settings.update', 'comune', id, id, `fields=${Object.keys(body).sort().join(',')}`);
      return c.json(await settingsJson(id), 200);
    });
}
