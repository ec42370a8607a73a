/**
 * Administration (issue #4): staff accounts, comune settings, the ISTAT over-65 import, yearly
 * budgets with their art. 15 allocation and the year-end redistribution, the ambito's central
 * on-call and the emergencies that reached nobody. Admins only, except reading a comune's
 * settings (social workers and operators of that comune).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { hash } from '@node-rs/argon2';
import { matchIstatComuni, parseIstatOver65 } from '../../core/admin/istat.ts';
import { checkOfficeHours, checkPatronDay, computeNeedHours, throwIfInvalid } from '../../core/admin/settings.ts';
import { DomainError, RuleViolation, type MessageRef } from '../../core/errors.ts';
import { allocateHours, redistributeUnspentHours } from '../../core/regulation/allocation.ts';
import { romeDate } from '../../core/regulation/calendar.ts';
import { validateFeeTariff, type FeeTariff } from '../../core/regulation/fees.ts';
import { isArt7Code, validateExtraServiceTypes, type ExtraServiceType } from '../../core/regulation/services.ts';
import {
  endStaffSessions,
  findStaffRecord,
  onCallDutiesOf,
  hasRedistribution,
  isUniqueViolation,
  listComuniNames,
  listStaff,
  loadAmbitoSettings,
  loadBudget,
  loadComuneSettings,
  lockAmbitoSettings,
  lockBudget,
  lockComune,
  lockStaff,
  saveAmbitoSettings,
  saveBudget,
  saveComuneSettings,
  saveOver65,
  saveRedistribution,
  setStaffPassword,
  staffCanBeOnCall,
  staffServesComune,
  unknownComuni,
  updateStaff,
  usernameTaken,
  yearActivityByComune,
  type AmbitoSettingsRecord,
  type BudgetRecord,
  type ComuneSettingsPatch,
  type ComuneSettingsRecord,
  type StaffRecord,
} from '../../db/admin.ts';
import { recordAudit } from '../../db/audit.ts';
import type { Queryable } from '../../db/client.ts';
import { unattendedEmergencies } from '../../db/reminders.ts';
import { activeResourceIds } from '../../db/resources.ts';
import { STAFF_ROLES, type OfficeHours, type StaffRole } from '../../db/schema.ts';
import { createStaffUser } from '../../db/staff.ts';
import { generatePassword } from '../../db/startup.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { assertComuneInScope, requireRole } from '../guard.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';
import { createRouter } from '../router.ts';
import { currentStaff, isUuid, notFound } from '../scope.ts';
import type { Context } from 'hono';

const TAG = 'Administration';

// ───────────── Schemas ─────────────

const StaffSchema = z
  .object({
    id: z.string().uuid(),
    username: z.string(),
    displayName: z.string(),
    role: z.enum(STAFF_ROLES),
    active: z.boolean(),
    comuni: z.array(z.string()),
    resources: z.array(z.string().uuid()),
    createdAt: z.string(),
  })
  .openapi('StaffUser');

const comuneIdSchema = z.string().trim().min(1).max(100);

const StaffCreateSchema = z.strictObject({
  username: z.string().trim().min(3).max(40).regex(/^[A-Za-z0-9._-]+$/),
  displayName: z.string().trim().min(1).max(200),
  role: z.enum(STAFF_ROLES),
  comuni: z.array(comuneIdSchema).max(20).default([]),
  resources: z.array(z.string().uuid()).max(20).default([]),
});

const StaffPatchSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(200).optional(),
  role: z.enum(STAFF_ROLES).optional(),
  comuni: z.array(comuneIdSchema).max(20).optional(),
  resources: z.array(z.string().uuid()).max(20).optional(),
  active: z.boolean().optional(),
});

const TariffSchema = z
  .object({ bands: z.array(z.object({ upToIseeCents: z.number().nullable(), centsPerHour: z.number() })) })
  .openapi('FeeTariff', { description: 'Art. 14: ascending ISEE bands in cents (limit included; the last one null = open), cents per hour (0 = exempt).' });

const OfficeHoursSchema = z
  .record(z.string().max(2), z.array(z.string().max(20)).max(10))
  .openapi('OfficeHours', { description: 'Weekday "1" (Monday) … "7" (Sunday) → intervals "HH:mm-HH:mm".', example: { '1': ['08:30-12:30'], '3': ['08:30-12:30', '14:30-17:00'] } });

const SettingsSchema = z
  .object({
    comuneId: z.string(),
    name: z.string(),
    over65: z.number().int(),
    over65Illustrative: z.boolean(),
    patronDay: z.string().nullable(),
    officeAddress: z.string().nullable(),
    officeHours: OfficeHoursSchema.nullable(),
    feeTariff: TariffSchema.nullable(),
    onCallStaffId: z.string().nullable(),
    extraServices: z.array(z.object({ code: z.string(), name: z.string() })),
    volunteerVoucherServices: z.array(z.string()),
    updatedAt: z.string().nullable(),
  })
  .openapi('ComuneSettings');

const SettingsPatchSchema = z.strictObject({
  patronDay: z.string().max(5).nullable().optional().openapi({ example: '06-29' }),
  officeAddress: z.string().trim().max(300).nullable().optional(),
  officeHours: OfficeHoursSchema.nullable().optional(),
  // Numbers are not forced to integers here: the tariff rule (art. 14) names every wrong band.
  feeTariff: z.strictObject({ bands: z.array(z.strictObject({ upToIseeCents: z.number().nullable(), centsPerHour: z.number() })).max(20) }).nullable().optional(),
  onCallStaffId: z.string().uuid().nullable().optional(),
  extraServices: z.array(z.strictObject({ code: z.string().max(40), name: z.string().max(200) })).max(50).optional(),
  volunteerVoucherServices: z.array(z.string().trim().max(20)).max(40).optional(),
});

const Over65PreviewSchema = z
  .object({
    committed: z.boolean(),
    comuni: z.array(z.object({ comuneId: z.string(), name: z.string(), istatCode: z.string().nullable(), over65Before: z.number().int(), illustrativeBefore: z.boolean(), over65: z.number().int() })),
    unknown: z.array(z.string()),
    missing: z.array(z.string()),
  })
  .openapi('Over65Import');

const ShareSchema = z.object({ comuneId: z.string(), hours: z.number().int() });
const BudgetSchema = z
  .object({
    year: z.number().int(),
    totalHours: z.number().int(),
    weeks: z.number().int(),
    savedBy: z.string().nullable(),
    savedAt: z.string(),
    allocations: z.array(ShareSchema),
    redistribution: z.array(ShareSchema).nullable(),
  })
  .openapi('Budget');

const RedistributionSchema = z
  .object({
    year: z.number().int(),
    saved: z.boolean(),
    poolHours: z.number().int(),
    unassignedHours: z.number().int(),
    shares: z.array(
      z.object({
        comuneId: z.string(),
        allocatedHours: z.number().int(),
        usedHours: z.number().int(),
        needHours: z.number().int(),
        unspentHours: z.number().int(),
        receivedHours: z.number().int(),
        finalHours: z.number().int(),
      }),
    ),
  })
  .openapi('Redistribution');

const AmbitoSettingsSchema = z
  .object({
    centralOnCallStaffId: z.string().uuid().nullable(),
    centralOnCallReachable: z.boolean().openapi({ description: 'The central on-call member is active and has a Telegram chat id or a phone number (set with PUT /api/v1/admin/staff/{id}/contacts): alerts can leave.' }),
    updatedAt: z.string().nullable(),
  })
  .openapi('AmbitoSettings');

const AmbitoSettingsPatchSchema = z.strictObject({
  centralOnCallStaffId: z.string().uuid().nullable().optional(),
});

const UnattendedSchema = z
  .object({
    count: z.number().int(),
    emergencies: z.array(
      z.object({
        kind: z.enum(['conversation', 'segnalazione']),
        id: z.string().uuid(),
        comuneId: z.string().nullable(),
        createdAt: z.string(),
      }),
    ),
  })
  .openapi('UnattendedEmergencies');

const yearParam = z.object({ year: z.coerce.number().int().min(2000).max(2100) });
// NUL cannot reach PostgreSQL (it would fail the query: a 500); refused as invalid input.
const idParam = z.object({ id: z.string().max(100).regex(/^[^\u0000]*$/) });

// ───────────── Helpers ─────────────

const staffJson = (s: StaffRecord) => ({ ...s, createdAt: s.createdAt.toISOString() });
const budgetJson = (b: BudgetRecord) => ({ ...b, savedAt: b.savedAt.toISOString() });
const ambitoJson = (a: AmbitoSettingsRecord) => ({ ...a, updatedAt: a.updatedAt ? a.updatedAt.toISOString() : null });
const settingsJson = (s: ComuneSettingsRecord) => ({
  ...s,
  feeTariff: s.feeTariff ? { bands: s.feeTariff.bands.map((b) => ({ upToIseeCents: b.upToIseeCents, centsPerHour: b.centsPerHour })) } : null,
  officeHours: (s.officeHours ?? null) as Record<string, string[]> | null,
  extraServices: s.extraServices.map((e) => ({ code: e.code, name: e.name })),
  updatedAt: s.updatedAt ? s.updatedAt.toISOString() : null,
});

function invalid(fields: Record<string, MessageRef>): DomainError {
  return new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields });
}

function prefixed(fields: Record<string, MessageRef> | undefined, prefix: string): Record<string, MessageRef> {
  return Object.fromEntries(Object.entries(fields ?? {}).map(([k, v]) => [`${prefix}${k}`, v]));
}

/** Checks a staff account's final shape: comuni exist, social workers have one, only providers have resources. */
async function checkStaffShape(db: Queryable, role: StaffRole, comuni: readonly string[], resourceIds: readonly string[]): Promise<void> {
  const fields: Record<string, MessageRef> = {};
  const unknown = new Set(await unknownComuni(db, comuni));
  comuni.forEach((id, i) => {
    if (unknown.has(id)) fields[`comuni.${i}`] = { key: 'admin:staff.unknownComune', params: { id } };
  });
  if (role === 'social_worker' && comuni.length === 0) fields.comuni = { key: 'admin:staff.comuneRequired' };
  if (role === 'provider') {
    if (resourceIds.length === 0) fields.resources = { key: 'admin:staff.resourceRequired' };
    const active = await activeResourceIds(db, resourceIds);
    resourceIds.forEach((id, i) => {
      if (!active.has(id)) fields[`resources.${i}`] = { key: 'admin:staff.unknownResource' };
    });
  } else if (resourceIds.length > 0) fields.resources = { key: 'admin:staff.resourcesOnlyForProviders' };
  throwIfInvalid(fields);
}

const unique = <T>(list: readonly T[]) => [...new Set(list)];

// ───────────── Routes ─────────────

export function adminRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const app = createRouter();
  const adminOnly = requireRole(deps, ['admin']);
  const audit = (c: Context<AppEnv>, action: string, subjectType: string, subjectId: string, extra: { comuneId?: string; reason?: string } = {}) =>
    recordAudit(db, { actorType: 'staff', actorId: currentStaff(c).id, action, subjectType, subjectId, requestId: c.get('requestId'), ...extra });

  const listStaffRoute = createRoute({
    method: 'get',
    path: '/api/v1/admin/staff',
    tags: [TAG],
    summary: 'Staff accounts with their role, comuni and (providers) resources',
    security: staffSecurity,
    middleware: [adminOnly],
    responses: { 200: { description: 'Staff', content: { 'application/json': { schema: z.object({ staff: z.array(StaffSchema) }) } } }, ...errorResponses(401, 403) },
  });

  const createStaffRoute = createRoute({
    method: 'post',
    path: '/api/v1/admin/staff',
    tags: [TAG],
    summary: 'Create a staff account; its generated password is returned once, here only',
    description: 'Social workers need at least one comune; provider accounts at least one active resource (their scope); other roles have no resources.',
    security: staffSecurity,
    middleware: [adminOnly],
    request: { body: { required: true, content: { 'application/json': { schema: StaffCreateSchema } } } },
    responses: {
      201: { description: 'Created', content: { 'application/json': { schema: z.object({ staff: StaffSchema, password: z.string() }) } } },
      ...errorResponses(400, 401, 403, 409),
    },
  });

  const updateStaffRoute = createRoute({
    method: 'patch',
    path: '/api/v1/admin/staff/{id}',
    tags: [TAG],
    summary: 'Change a staff account: display name, role, comuni, provider resources, active',
    description: 'Deactivating ends every session of the account at once. An admin cannot deactivate their own account or change their own role.',
    security: staffSecurity,
    middleware: [adminOnly],
    request: { params: idParam, body: { required: true, content: { 'application/json': { schema: StaffPatchSchema } } } },
    responses: { 200: { description: 'Updated', content: { 'application/json': { schema: z.object({ staff: StaffSchema }) } } }, ...errorResponses(400, 401, 403, 404) },
  });

  const resetPasswordRoute = createRoute({
    method: 'post',
    path: '/api/v1/admin/staff/{id}/password',
    tags: [TAG],
    summary: 'Give a staff account a new generated password, returned once, here only',
    description: 'Every session of the account ends; the old password stops working.',
    security: staffSecurity,
    middleware: [adminOnly],
    request: { params: idParam },
    responses: { 200: { description: 'The new password', content: { 'application/json': { schema: z.object({ password: z.string() }) } } }, ...errorResponses(401, 403, 404) },
  });

  const getSettingsRoute = createRoute({
    method: 'get',
    path: '/api/v1/comuni/{id}/settings',
    tags: [TAG],
    summary: "A comune's settings: tariff, patron day, office hours and address, on-call staff, extra services",
    security: staffSecurity,
    middleware: [requireRole(deps, ['admin', 'social_worker', 'operator'])],
    request: { params: idParam },
    responses: { 200: { description: 'Settings', content: { 'application/json': { schema: SettingsSchema } } }, ...errorResponses(401, 403, 404) },
  });

  const patchSettingsRoute = createRoute({
    method: 'patch',
    path: '/api/v1/comuni/{id}/settings',
    tags: [TAG],
    summary: "Change a comune's settings (only the fields sent)",
    description:
      'feeTariff is checked by art. 14 (ascending whole-cent bands, the last open); extraServices by art. 7 (own codes, never in 1A…8Z); volunteerVoucherServices (*Un buono per amico*) must be art. 7 or extra codes; office hours "HH:mm-HH:mm" per weekday 1–7, not overlapping; patronDay "MM-DD"; the on-call staff member must be active and work for the comune.',
    security: staffSecurity,
    middleware: [adminOnly],
    request: { params: idParam, body: { required: true, content: { 'application/json': { schema: SettingsPatchSchema } } } },
    responses: { 200: { description: 'Saved settings', content: { 'application/json': { schema: SettingsSchema } } }, ...errorResponses(400, 401, 403, 404) },
  });

  const over65Route = createRoute({
    method: 'post',
    path: '/api/v1/admin/over65-import',
    tags: [TAG],
    summary: 'Import over-65 residents per comune from an ISTAT CSV (dry run unless commit=true)',
    description:
      'The file of demo.istat.it "Popolazione residente al 1° gennaio per età" (semicolon-separated; Comune, Età, Totale or Totale maschi + Totale femmine; an optional title line). Ages 65 and over are summed per comune; comuni are matched by name ignoring accents and case; names outside the ambito are listed in `unknown`, not fatal. Send it as text/csv or as JSON {"csv": "…"}; the 64 KiB body limit fits the full file of the 14 comuni (≈ 1,430 rows). With commit=true the figures are saved and no longer marked illustrative.',
    security: staffSecurity,
    middleware: [
      adminOnly,
      async (c, next) => {
        const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        if (!['text/csv', 'application/json'].includes(type)) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', { key: 'admin:istat.mediaType' });
        await next();
      },
    ],
    request: {
      query: z.object({ commit: z.enum(['true', 'false']).optional() }),
      body: {
        required: false,
        content: {
          'application/json': { schema: z.strictObject({ csv: z.string().max(64 * 1024) }) },
          'text/csv': { schema: z.string().openapi({ example: 'Codice comune;Comune;Età;Totale Maschi;Totale Femmine;Totale\n015002;Abbiategrasso;65;150;170;320' }) },
        },
      },
    },
    responses: { 200: { description: 'What the file gives (and whether it was saved)', content: { 'application/json': { schema: Over65PreviewSchema } } }, ...errorResponses(400, 401, 403, 413) },
  });

  const getBudgetRoute = createRoute({
    method: 'get',
    path: '/api/v1/admin/budgets/{year}',
    tags: [TAG],
    summary: "A year's budget of hours with its saved allocation (art. 15) and redistribution",
    security: staffSecurity,
    middleware: [adminOnly],
    request: { params: yearParam },
    responses: { 200: { description: 'Budget', content: { 'application/json': { schema: BudgetSchema } } }, ...errorResponses(400, 401, 403, 404) },
  });

  const putBudgetRoute = createRoute({
    method: 'put',
    path: '/api/v1/admin/budgets/{year}',
    tags: [TAG],
    summary: "Save a year's budget and its allocation over the current over-65 figures (art. 15)",
    description:
      'Shares proportional to the over-65 population with a floor of 5 h/week × weeks per comune, whole hours summing exactly to the budget. Saving again replaces the budget and its allocation (audited with the previous figures) until the year-end redistribution is saved; after that the year is closed (409).',
    security: staffSecurity,
    middleware: [adminOnly],
    request: {
      params: yearParam,
      body: { required: true, content: { 'application/json': { schema: z.strictObject({ totalHours: z.number(), weeks: z.number() }) } } },
    },
    responses: { 200: { description: 'Saved', content: { 'application/json': { schema: BudgetSchema } } }, ...errorResponses(400, 401, 403, 409) },
  });

  const redistributionRoute = createRoute({
    method: 'post',
    path: '/api/v1/admin/budgets/{year}/redistribution',
    tags: [TAG],
    summary: 'Year-end redistribution of unspent hours (art. 15), computed from the voucher ledger',
    description:
      'usedHours = hours redeemed in the year by the comune\'s programmes; needHours = hours issued in the year + 90 h (5 h/week × 18 weeks, one four-month programme at the floor rate) per application on the waiting list. Saved as the allocation of kind "redistribution" (replacing an earlier one) unless dryRun, and only once the year is over (from 1 January of the next; 409 "art. 15" before).',
    security: staffSecurity,
    middleware: [adminOnly],
    request: { params: yearParam, body: { required: false, content: { 'application/json': { schema: z.strictObject({ dryRun: z.boolean().optional() }) } } } },
    responses: { 200: { description: 'The redistribution', content: { 'application/json': { schema: RedistributionSchema } } }, ...errorResponses(400, 401, 403, 404) },
  });

  const getAmbitoRoute = createRoute({
    method: 'get',
    path: '/api/v1/admin/ambito-settings',
    tags: [TAG],
    summary: "The ambito's settings: the central on-call staff member for emergencies",
    description:
      'The central on-call gets an urgent alert when the subject has no comune (an unlinked chat: day or night) or when the comune has no on-call member with a usable contact (outside the comune\'s office hours). With neither, the emergency reaches nobody (outcome no_on_call) and is counted by GET /api/v1/admin/urgent-alerts/unattended; every sweep tries it again until someone takes it, and alerts the on-call once one can be reached.',
    security: staffSecurity,
    middleware: [adminOnly],
    responses: { 200: { description: 'Settings', content: { 'application/json': { schema: AmbitoSettingsSchema } } }, ...errorResponses(401, 403) },
  });

  const patchAmbitoRoute = createRoute({
    method: 'patch',
    path: '/api/v1/admin/ambito-settings',
    tags: [TAG],
    summary: "Change the ambito's settings (only the fields sent)",
    description: 'centralOnCallStaffId: an active staff account that is not a provider\'s, or null (not advised: emergencies of unknown people then reach nobody).',
    security: staffSecurity,
    middleware: [adminOnly],
    request: { body: { required: true, content: { 'application/json': { schema: AmbitoSettingsPatchSchema } } } },
    responses: { 200: { description: 'Saved settings', content: { 'application/json': { schema: AmbitoSettingsSchema } } }, ...errorResponses(400, 401, 403) },
  });

  const unattendedRoute = createRoute({
    method: 'get',
    path: '/api/v1/admin/urgent-alerts/unattended',
    tags: [TAG],
    summary: 'Emergencies of the last 7 days that alerted nobody and nobody has taken yet',
    description: 'Urgent alerts with outcome no_on_call whose conversation is still urgent and unassigned, or whose segnalazione is still only received. Ids only.',
    security: staffSecurity,
    middleware: [adminOnly],
    responses: { 200: { description: 'Unattended emergencies', content: { 'application/json': { schema: UnattendedSchema } } }, ...errorResponses(401, 403) },
  });

  return app
    .openapi(listStaffRoute, async (c) => c.json({ staff: (await listStaff(db)).map(staffJson) }, 200))
    .openapi(getAmbitoRoute, async (c) => c.json(ambitoJson(await loadAmbitoSettings(db)), 200))
    .openapi(patchAmbitoRoute, async (c) => {
      const body = c.req.valid('json');
      const staff = currentStaff(c);
      await db.transaction(async (tx) => {
        await lockAmbitoSettings(tx);
        if (body.centralOnCallStaffId !== undefined && body.centralOnCallStaffId !== null && !(await staffCanBeOnCall(tx, body.centralOnCallStaffId))) {
          throw invalid({ centralOnCallStaffId: { key: 'alerts:settings.invalidStaff' } });
        }
        await saveAmbitoSettings(tx, { centralOnCallStaffId: body.centralOnCallStaffId }, staff.id);
      });
      await audit(c, 'ambito_settings.update', 'ambito', 'ambito', { reason: `fields=${Object.keys(body).sort().join(',')}` });
      return c.json(ambitoJson(await loadAmbitoSettings(db)), 200);
    })
    .openapi(unattendedRoute, async (c) => {
      const rows = await unattendedEmergencies(db, deps.now());
      const emergencies = rows.map((r) => {
        const [kind, id] = r.subjectKey.split(':') as ['conversation' | 'segnalazione', string];
        return { kind, id, comuneId: r.comuneId, createdAt: r.createdAt.toISOString() };
      });
      return c.json({ count: emergencies.length, emergencies }, 200);
    })
    .openapi(createStaffRoute, async (c) => {
      const input = c.req.valid('json');
      const comuni = unique(input.comuni);
      const resourceIds = unique(input.resources);
      await checkStaffShape(db, input.role, comuni, resourceIds);
      const password = generatePassword();
      const passwordHash = await hash(password);
      let id: string;
      try {
        id = await db.transaction(async (tx) => {
          if (await usernameTaken(tx, input.username)) throw new DomainError('CONFLICT', { key: 'admin:staff.usernameTaken' }, { fields: { username: { key: 'admin:staff.usernameTaken' } } });
          const newId = await createStaffUser(tx, { username: input.username, passwordHash, role: input.role, displayName: input.displayName, comuni });
          if (resourceIds.length) await updateStaff(tx, newId, { resources: resourceIds });
          return newId;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new DomainError('CONFLICT', { key: 'admin:staff.usernameTaken' }, { fields: { username: { key: 'admin:staff.usernameTaken' } } });
        throw err;
      }
      await audit(c, 'staff.create', 'staff', id, { reason: `role=${input.role}` });
      return c.json({ staff: staffJson((await findStaffRecord(db, id))!), password }, 201);
    })
    .openapi(updateStaffRoute, async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const me = currentStaff(c);
      if (!isUuid(id)) throw notFound();
      if (id === me.id && patch.active === false) throw invalid({ active: { key: 'admin:staff.cannotDeactivateSelf' } });
      if (id === me.id && patch.role !== undefined && patch.role !== me.role) throw invalid({ role: { key: 'admin:staff.cannotChangeOwnRole' } });
      const changed = Object.keys(patch).sort().join(',');
      await db.transaction(async (tx) => {
        const row = await lockStaff(tx, id);
        if (!row) throw notFound();
        // Deactivating the on-call would leave emergencies out of hours with nobody to alert:
        // another on-call is chosen first.
        if (patch.active === false) {
          const duties = await onCallDutiesOf(tx, id);
          const list = duties.comuni.join(', ');
          if (duties.central) throw invalid({ active: { key: duties.comuni.length > 0 ? 'admin:staff.stillOnCallBoth' : 'admin:staff.stillOnCallCentral', params: { comuni: list } } });
          if (duties.comuni.length > 0) throw invalid({ active: { key: 'admin:staff.stillOnCall', params: { comuni: list } } });
        }
        const current = (await findStaffRecord(tx, id))!;
        const role = patch.role ?? current.role;
        const comuni = patch.comuni ? unique(patch.comuni) : current.comuni;
        // Resources only mean something for providers: a role change away from provider drops them.
        const resourceIds = patch.resources ? unique(patch.resources) : role === 'provider' ? current.resources : [];
        await checkStaffShape(tx, role, comuni, resourceIds);
        await updateStaff(tx, id, { displayName: patch.displayName, role: patch.role, active: patch.active, comuni: patch.comuni ? comuni : undefined, resources: resourceIds });
        if (patch.active === false) await endStaffSessions(tx, id);
      });
      await audit(c, patch.active === false ? 'staff.deactivate' : 'staff.update', 'staff', id, { reason: `fields=${changed}` });
      return c.json({ staff: staffJson((await findStaffRecord(db, id))!) }, 200);
    })
    .openapi(getSettingsRoute, async (c) => {
      const { id } = c.req.valid('param');
      await assertComuneInScope(deps, c, id);
      const settings = await loadComuneSettings(db, id);
      if (!settings) throw notFound();
      return c.json(settingsJson(settings), 200);
    })
    .openapi(patchSettingsRoute, async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const staff = currentStaff(c);
      const patch: ComuneSettingsPatch = {};
      // Regulation rules first (they name their article), then the settings' own checks.
      if (body.feeTariff !== undefined) {
        if (body.feeTariff === null) patch.feeTariff = null;
        else {
          try {
            patch.feeTariff = validateFeeTariff({ comuneId: id, bands: body.feeTariff.bands } as FeeTariff);
          } catch (err) {
            if (err instanceof DomainError) throw new RuleViolation(err.rule ?? 'art. 14', err.messageRef, prefixed(err.fields, 'feeTariff.'));
            throw err;
          }
        }
      }
      if (body.extraServices !== undefined) patch.extraServices = validateExtraServiceTypes(body.extraServices);
      // Checks that read the comune's current settings run under its row lock, so two admins
      // changing extra and volunteer services at once cannot leave them inconsistent.
      await db.transaction(async (tx) => {
        if (!(await lockComune(tx, id))) throw notFound();
        const existing = (await loadComuneSettings(tx, id))!;
        const extras: ExtraServiceType[] = patch.extraServices ?? existing.extraServices;
        const fields: Record<string, MessageRef> = {};
        if (body.patronDay !== undefined) patch.patronDay = body.patronDay === null ? null : checkPatronDay(body.patronDay, fields);
        if (body.officeAddress !== undefined) patch.officeAddress = body.officeAddress === null || body.officeAddress === '' ? null : body.officeAddress;
        if (body.officeHours !== undefined) patch.officeHours = body.officeHours === null ? null : (checkOfficeHours(body.officeHours, fields) as OfficeHours);
        if (body.volunteerVoucherServices !== undefined) {
          const extraCodes = new Set(extras.map((e) => e.code));
          const codes = unique(body.volunteerVoucherServices.map((code) => code.toUpperCase()));
          codes.forEach((code, i) => {
            if (!isArt7Code(code) && !extraCodes.has(code)) fields[`volunteerVoucherServices.${i}`] = { key: 'admin:settings.volunteerService', params: { code } };
          });
          patch.volunteerVoucherServices = codes;
        } else if (patch.extraServices !== undefined) {
          // Removing an extra service also removes it from the volunteer vouchers.
          const still = new Set(extras.map((e) => e.code));
          const kept = existing.volunteerVoucherServices.filter((code) => isArt7Code(code) || still.has(code));
          if (kept.length !== existing.volunteerVoucherServices.length) patch.volunteerVoucherServices = kept;
        }
        if (body.onCallStaffId !== undefined) {
          if (body.onCallStaffId !== null && !(await staffServesComune(tx, body.onCallStaffId, id))) fields.onCallStaffId = { key: 'admin:settings.onCallStaff' };
          patch.onCallStaffId = body.onCallStaffId;
        }
        throwIfInvalid(fields);
        await saveComuneSettings(tx, id, patch, staff.id);
      });
      await audit(c, 'comune_settings.update', 'comune', id, { comuneId: id, reason: `fields=${Object.keys(patch).sort().join(',')}` });
      return c.json(settingsJson((await loadComuneSettings(db, id))!), 200);
    })
    .openapi(resetPasswordRoute, async (c) => {
      const { id } = c.req.valid('param');
      if (!isUuid(id)) throw notFound();
      const password = generatePassword();
      const passwordHash = await hash(password);
      await db.transaction(async (tx) => {
        if (!(await lockStaff(tx, id))) throw notFound();
        await setStaffPassword(tx, id, passwordHash);
        await endStaffSessions(tx, id);
      });
      await audit(c, 'staff.password_reset', 'staff', id);
      return c.json({ password }, 200);
    })
    .openapi(over65Route, async (c) => {
      const { commit } = c.req.valid('query');
      const isJson = (c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json');
      const text = isJson ? (c.req.valid('json') as { csv?: string }).csv ?? '' : await c.req.text();
      const totals = parseIstatOver65(text);
      const comuni = await listComuniNames(db);
      const match = matchIstatComuni(totals, comuni);
      if (match.matched.length === 0) throw invalid({ csv: { key: 'admin:istat.noKnownComune' } });
      const before = new Map(comuni.map((x) => [x.id, x]));
      const committed = commit === 'true';
      if (committed) {
        await db.transaction(async (tx) => {
          await saveOver65(tx, match.matched);
          await recordAudit(tx, {
            actorType: 'staff', actorId: currentStaff(c).id, action: 'over65.import', subjectType: 'comuni', requestId: c.get('requestId'),
            reason: `matched=${match.matched.map((m) => m.comuneId).join(',')}; unknown=${match.unknown.length}`,
          });
        });
      }
      return c.json(
        {
          committed,
          comuni: match.matched.map((m) => ({ ...m, over65Before: before.get(m.comuneId)!.over65, illustrativeBefore: before.get(m.comuneId)!.over65Illustrative })),
          unknown: match.unknown,
          missing: match.missing,
        },
        200,
      );
    })
    .openapi(getBudgetRoute, async (c) => {
      const { year } = c.req.valid('param');
      const budget = await loadBudget(db, year);
      if (!budget) throw new DomainError('NOT_FOUND', { key: 'admin:budget.notSaved' });
      return c.json(budgetJson(budget), 200);
    })
    .openapi(putBudgetRoute, async (c) => {
      const { year } = c.req.valid('param');
      const { totalHours, weeks } = c.req.valid('json');
      const staff = currentStaff(c);
      try {
        await db.transaction(async (tx) => {
          const previous = await lockBudget(tx, year);
          if (await hasRedistribution(tx, year)) throw new DomainError('CONFLICT', { key: 'admin:budget.alreadyRedistributed' });
          const comuni = await listComuniNames(tx);
          let shares: { comuneId: string; hours: number }[];
          try {
            shares = allocateHours({ budgetHours: totalHours, weeks, comuni: comuni.map((x) => ({ comuneId: x.id, over65: x.over65 })) }).shares;
          } catch (err) {
            // The rule calls the budget `budgetHours`; this route calls it `totalHours`.
            if (err instanceof RuleViolation) {
              const fields = Object.fromEntries(Object.entries(err.fields ?? {}).map(([k, v]) => [k === 'budgetHours' ? 'totalHours' : k, v]));
              throw new RuleViolation(err.rule ?? 'art. 15', err.messageRef, fields);
            }
            throw err;
          }
          await saveBudget(tx, { year, totalHours, weeks, shares, staffId: staff.id });
          await recordAudit(tx, {
            actorType: 'staff', actorId: staff.id, action: previous ? 'budget.replace' : 'budget.create', subjectType: 'budget', subjectId: String(year), requestId: c.get('requestId'),
            reason: previous ? `previous=${previous.totalHours}h/${previous.weeks}w; new=${totalHours}h/${weeks}w` : `new=${totalHours}h/${weeks}w`,
          });
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new DomainError('CONFLICT', { key: 'errors:CONFLICT' });
        throw err;
      }
      return c.json(budgetJson((await loadBudget(db, year))!), 200);
    })
    .openapi(redistributionRoute, async (c) => {
      const { year } = c.req.valid('param');
      const dryRun = (c.req.valid('json') as { dryRun?: boolean }).dryRun === true;
      const staff = currentStaff(c);
      const result = await db.transaction(async (tx) => {
        if (!(await lockBudget(tx, year))) throw new DomainError('NOT_FOUND', { key: 'admin:budget.notSaved' });
        // Art. 15: what a comune did not spend "within the year". Saved mid-year it took back every
        // hour not used so far; the preview stays open all year.
        if (!dryRun && romeDate(deps.now()) < `${year + 1}-01-01`) throw new DomainError('CONFLICT', { key: 'admin:budget.yearNotOver', params: { year } }, { rule: 'art. 15' });
        const budget = (await loadBudget(tx, year))!;
        const activity = await yearActivityByComune(tx, year);
        const input = budget.allocations.map((a) => {
          const act = activity.get(a.comuneId) ?? { issuedHours: 0, usedHours: 0, waitingApplications: 0 };
          return { comuneId: a.comuneId, allocatedHours: a.hours, usedHours: act.usedHours, needHours: computeNeedHours(act) };
        });
        const computed = redistributeUnspentHours({ comuni: input });
        if (!dryRun) {
          await saveRedistribution(tx, year, computed.shares.map((s) => ({ comuneId: s.comuneId, hours: s.finalHours })), staff.id);
          await recordAudit(tx, {
            actorType: 'staff', actorId: staff.id, action: 'budget.redistribute', subjectType: 'budget', subjectId: String(year), requestId: c.get('requestId'),
            reason: `pool=${computed.poolHours}h; unassigned=${computed.unassignedHours}h`,
          });
        }
        return { computed, needs: new Map(input.map((i) => [i.comuneId, i.needHours])) };
      });
      return c.json(
        {
          year,
          saved: !dryRun,
          poolHours: result.computed.poolHours,
          unassignedHours: result.computed.unassignedHours,
          shares: result.computed.shares.map((s) => ({ ...s, needHours: result.needs.get(s.comuneId) ?? 0 })),
        },
        200,
      );
    });
}
