/**
 * Programmes, visits, suspensions, evaluations, the voucher ledger, fees and payments (issue #4).
 *
 * Roles: admin everything; social_worker their comuni; provider only programmes and visits of
 * its resources (visits, redemptions, ledger, calendar, monthly statement); operator none of
 * these (balances, ledgers and fees are not theirs: 403). Out-of-scope records answer 404.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { and, asc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { DomainError } from '../../core/errors.ts';
import { daysBetween, isIsoDate, romeDate, ROME_ZONE } from '../../core/regulation/calendar.ts';
import { computeEvaluationDue } from '../../core/regulation/evaluation.ts';
import { INTERRUPTION_REASONS } from '../../core/regulation/programme.ts';
import { recordAudit } from '../../db/audit.ts';
import { computeFeeStatement, countPersonUnpaidMonths, findFeeStatement, personFees, providerMonthlyStatement, recordPayment } from '../../db/fees.ts';
import { emptyBalance, ledgerEntryView, ledgerTotals, readLedger } from '../../db/ledger.ts';
import {
  adjustVouchers,
  changeVisitStatus,
  createProgramme,
  decideSuspension,
  findCurrentProgramme,
  findProgramme,
  findVisit,
  interruptProgrammeRow,
  listEvaluations,
  listQuestionnaireResponses,
  listSuspensions,
  listVisits,
  recordEvaluation,
  recordQuestionnaireResponse,
  recordSuspension,
  redeemVouchers,
  renewProgrammeRow,
  romeMidnight,
  scheduleVisit,
  toCoreProgramme,
  type Actor,
} from '../../db/programmes.ts';
import { PROGRAMME_STATUSES, programmes, resourceComuni, resources, visits, voucherLedger, type StaffRole } from '../../db/schema.ts';
import { formatDay } from '../../core/conversation/kit.ts';
import { asLocale, render } from '../../locales/index.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { requestLocale } from '../errors.ts';
import { requireRole } from '../guard.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';
import { createRouter } from '../router.ts';
import { currentStaff, deniedForScope, isUuid, loadPersonInScope, loadProgrammeInScope, notFound, programmeScopeCondition } from '../scope.ts';

const STAFF: readonly StaffRole[] = ['admin', 'social_worker'];
const STAFF_AND_PROVIDER: readonly StaffRole[] = ['admin', 'social_worker', 'provider'];

const isoDate = z
  .string()
  .max(10)
  .refine((v) => isIsoDate(v), { params: { key: 'programmes:error.invalidDate' } })
  .openapi({ example: '2026-12-01' });
const isoMonth = z
  .string()
  .max(7)
  .refine((v) => /^\d{4}-(0[1-9]|1[0-2])$/.test(v), { params: { key: 'programmes:error.invalidMonth' } })
  .openapi({ example: '2026-12' });
const IdParam = z.object({ id: z.string().max(100) });
const Obj = z.object({}).passthrough();
const json = <T extends z.ZodTypeAny>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
const ok = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });

// Numbers are left as plain numbers here so that 1.5 hours reaches the rule (art. 11 / art. 8)
// and is refused naming the article, not as a mere type error.
const DeliveryExceptionSchema = z.strictObject({
  kind: z.enum(['weekly_cap', 'urgent_social_intervention']),
  reason: z.string().max(2000),
  author: z.string().max(200),
  maxWeeklyHours: z.number().optional(),
});
const termsShape = {
  resourceId: z.string().uuid(),
  services: z.array(z.string().max(20)).max(30),
  weeklyHours: z.number(),
  operators: z.number(),
  visitsPerWeek: z.number(),
  plannedEnd: isoDate,
  contractSignedAt: z.string().datetime({ offset: true }).optional(),
  weeklyCapException: DeliveryExceptionSchema.optional(),
  resources: z.string().max(2000).optional(),
};
const CreateProgrammeBody = z.strictObject({ personId: z.string().uuid(), applicationId: z.string().uuid().optional(), start: isoDate, ...termsShape });
const RenewBody = z.strictObject({ start: isoDate.optional(), ...termsShape });

const ProgrammeSummary = z
  .object({ id: z.string().uuid(), personId: z.string().uuid(), comuneId: z.string(), periodEnd: z.string(), balanceHours: z.number().int() })
  .openapi('ProgrammeSummary');
/** A voucher ledger entry as the API shows it (also used by api/routes/community.ts). */
export const LedgerEntrySchema = z
  .object({
    id: z.number().int(),
    programmeId: z.string().uuid(),
    kind: z.enum(['issue', 'redeem', 'return', 'adjustment']),
    hours: z.number().int(),
    on: z.string(),
    deliveredAt: z.string().nullable(),
    visitId: z.string().nullable(),
    resourceId: z.string().nullable(),
    reason: z.string().nullable(),
    recordedBy: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('LedgerEntry');
const VouchersSchema = z
  .object({ programmeId: z.string().uuid(), issuedHours: z.number().int(), redeemedHours: z.number().int(), returnedHours: z.number().int(), balanceHours: z.number().int(), periodEnd: z.string() })
  .openapi('Vouchers');

function rolesMw(deps: AppDeps, roles: readonly StaffRole[]): MiddlewareHandler<AppEnv> {
  return requireRole(deps, roles);
}

function actorOf(c: Context<AppEnv>): Actor {
  return { staffId: currentStaff(c).id, requestId: c.get('requestId') };
}

function fieldError(field: string, key: string): DomainError {
  return new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { [field]: { key } } });
}

/** An instant from an ISO date-time (with offset, or Rome wall clock without one). */
function parseInstant(value: string, field: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) throw fieldError(field, 'programmes:error.invalidDateTime');
  const parsed = DateTime.fromISO(value, { zone: ROME_ZONE });
  if (!parsed.isValid) throw fieldError(field, 'programmes:error.invalidDateTime');
  return parsed.toJSDate();
}

function programmeView(row: NonNullable<Awaited<ReturnType<typeof findProgramme>>>) {
  return {
    id: row.id,
    personId: row.personId,
    comuneId: row.comuneId,
    applicationId: row.applicationId,
    resourceId: row.resourceId,
    services: row.services,
    weeklyHours: row.weeklyHours,
    operators: row.operators,
    visitsPerWeek: row.visitsPerWeek,
    periodStart: row.periodStart,
    periodEnd: row.periodEnd,
    period: row.period,
    previousProgrammeId: row.previousProgrammeId,
    status: row.status,
    contractSignedAt: row.contractSignedAt?.toISOString() ?? null,
    interruptedOn: row.interruptedOn,
    interruptionReason: row.interruptionReason,
    weeklyCapException: row.weeklyCapException,
  };
}

function visitView(v: typeof visits.$inferSelect) {
  return {
    id: v.id,
    programmeId: v.programmeId,
    resourceId: v.resourceId,
    startsAt: v.startsAt.toISOString(),
    hours: v.hours,
    operators: v.operators,
    services: v.services,
    status: v.status,
    statusChangedAt: v.statusChangedAt?.toISOString() ?? null,
  };
}

export function programmeRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const app = createRouter();
  const now = () => deps.now();

  /** A resource the caller may assign a visit to (a provider: only its own). */
  async function checkResource(c: Context<AppEnv>, resourceId: string | undefined, fallback: string | null): Promise<string | null> {
    const staff = currentStaff(c);
    const id = resourceId ?? fallback;
    if (id === null) return null;
    if (staff.role === 'provider' && !staff.resources.includes(id)) throw fieldError('resourceId', 'programmes:error.notYourResource');
    const [row] = await db.select({ id: resources.id }).from(resources).where(and(eq(resources.id, id), eq(resources.active, true)));
    if (!row) throw fieldError('resourceId', 'programmes:error.resourceNotFound');
    return id;
  }

  // ─── programmes ───
  const listRoute = createRoute({
    method: 'get',
    path: '/api/v1/programmes',
    tags: ['Programmes'],
    summary: 'Programmes in your scope with their voucher balance',
    description: 'Admin: all; social worker: their comuni; provider: its resources. Filter by `status` (e.g. active) and `comuneId`.',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF_AND_PROVIDER)] as const,
    request: { query: z.object({ status: z.enum(PROGRAMME_STATUSES).optional(), comuneId: z.string().max(100).optional() }) },
    responses: { 200: ok('Programmes', z.object({ programmes: z.array(ProgrammeSummary) })), ...errorResponses(400, 401, 403) },
  });

  const createProgrammeRoute = createRoute({
    method: 'post',
    path: '/api/v1/programmes',
    tags: ['Programmes'],
    summary: 'Create an intervention programme (art. 10–11) and issue its vouchers',
    description: 'From an admitted application (applicationId) or directly for a person. core planProgramme checks it; the `issue` ledger entry is written in the same transaction.',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF)] as const,
    request: { body: json(CreateProgrammeBody) },
    responses: { 201: ok('The programme', z.object({ programme: Obj, balanceHours: z.number().int() })), ...errorResponses(400, 401, 403, 404, 409) },
  });

  const getRoute = createRoute({
    method: 'get',
    path: '/api/v1/programmes/{id}',
    tags: ['Programmes'],
    summary: 'One programme with balance, visits, suspensions, evaluations and questionnaires (audited read)',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF_AND_PROVIDER)] as const,
    request: { params: IdParam },
    responses: { 200: ok('The programme', Obj), ...errorResponses(401, 403, 404) },
  });

  const renewRoute = createRoute({
    method: 'post',
    path: '/api/v1/programmes/{id}/renewals',
    tags: ['Programmes'],
    summary: 'Renew a programme (art. 11): new period, new free choice of provider',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF)] as const,
    request: { params: IdParam, body: json(RenewBody) },
    responses: { 201: ok('The new programme', z.object({ programme: Obj, balanceHours: z.number().int() })), ...errorResponses(400, 401, 403, 404, 409) },
  });

  const suspensionRoute = createRoute({
    method: 'post',
    path: '/api/v1/programmes/{id}/suspensions',
    tags: ['Programmes'],
    summary: 'Record a temporary suspension (art. 13): the programme end moves later by as many days',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF)] as const,
    request: { params: IdParam, body: json(z.strictObject({ fromDate: isoDate, toDate: isoDate, reason: z.string().min(1).max(500) })) },
    responses: { 201: ok('The suspension', Obj), ...errorResponses(400, 401, 403, 404, 409) },
  });

  const decideRoute = createRoute({
    method: 'post',
    path: '/api/v1/programmes/{id}/suspensions/{suspensionId}/decision',
    tags: ['Programmes'],
    summary: 'Confirm or reject a suspension requested from the chat (art. 13)',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF)] as const,
    request: { params: z.object({ id: z.string().max(100), suspensionId: z.string().max(100) }), body: json(z.strictObject({ decision: z.enum(['confirm', 'reject']), toDate: isoDate.optional() })) },
    responses: { 200: ok('The suspension', Obj), ...errorResponses(400, 401, 403, 404, 409) },
  });

  const interruptRoute = createRoute({
    method: 'post',
    path: '/api/v1/programmes/{id}/interruption',
    tags: ['Programmes'],
    summary: 'Interrupt a programme (art. 13); unused hours are returned',
    description: 'Reasons: death, permanent_admission, no_longer_needed, fees_unpaid (only with more than 3 unpaid months), renunciation.',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF)] as const,
    request: { params: IdParam, body: json(z.strictObject({ reason: z.enum(INTERRUPTION_REASONS), on: isoDate, note: z.string().max(2000).optional() })) },
    responses: { 200: ok('The interrupted programme', z.object({ programme: Obj, returnedHours: z.number().int() })), ...errorResponses(400, 401, 403, 404, 409) },
  });

  const evaluationRoute = createRoute({
    method: 'post',
    path: '/api/v1/programmes/{id}/evaluations',
    tags: ['Programmes'],
    summary: 'Record an evaluation (art. 12)',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF)] as const,
    request: { params: IdParam, body: json(z.strictObject({ evaluatedOn: isoDate, outcome: z.enum(['continue', 'change', 'end']), notes: z.string().max(4000).optional() })) },
    responses: { 201: ok('The evaluation and the next due date', z.object({ evaluation: Obj, nextDue: z.string() })), ...errorResponses(400, 401, 403, 404) },
  });

  const questionnaireRoute = createRoute({
    method: 'post',
    path: '/api/v1/programmes/{id}/questionnaires',
    tags: ['Programmes'],
    summary: 'Store the answers of a satisfaction questionnaire (art. 12)',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF)] as const,
    request: {
      params: IdParam,
      body: json(
        z.strictObject({
          answers: z
            .record(z.string().min(1).max(100), z.string().max(2000))
            .refine((a) => Object.keys(a).length >= 1 && Object.keys(a).length <= 50, { params: { key: 'errors:field.invalid' } }),
        }),
      ),
    },
    responses: { 201: ok('The response', Obj), ...errorResponses(400, 401, 403, 404) },
  });

  // ─── visits ───
  const createVisitRoute = createRoute({
    method: 'post',
    path: '/api/v1/programmes/{id}/visits',
    tags: ['Visits'],
    summary: 'Schedule a visit (art. 8)',
    description: 'Start as Rome wall-clock "YYYY-MM-DDTHH:MM" (or with an offset), whole hours, Monday–Saturday 08:00–20:00; Sunday only for a person living alone without family support; at most 10 h per ISO week. Holidays and the patron day come back as warnings.',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF_AND_PROVIDER)] as const,
    request: {
      params: IdParam,
      body: json(
        z.strictObject({
          startsAt: z.string().max(40).openapi({ example: '2026-11-23T09:00' }),
          hours: z.number(),
          operators: z.number().int().min(1).max(10).optional(),
          services: z.array(z.string().max(20)).max(30).optional(),
          resourceId: z.string().uuid().optional(),
        }),
      ),
    },
    responses: { 201: ok('The visit', z.object({ visit: Obj, warnings: z.array(z.object({ kind: z.string(), date: z.string(), message: z.string() })) })), ...errorResponses(400, 401, 403, 404, 409) },
  });

  const visitStatusRoute = createRoute({
    method: 'post',
    path: '/api/v1/visits/{id}/status',
    tags: ['Visits'],
    summary: 'Record a planned visit as done, cancelled or missed',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF_AND_PROVIDER)] as const,
    request: { params: IdParam, body: json(z.strictObject({ status: z.enum(['done', 'cancelled', 'missed']) })) },
    responses: { 200: ok('The visit', z.object({ visit: Obj })), ...errorResponses(400, 401, 403, 404, 409) },
  });

  const calendarRoute = createRoute({
    method: 'get',
    path: '/api/v1/visits',
    tags: ['Visits'],
    summary: 'Calendar of visits from `from` to `to` (Rome dates, at most 92 days)',
    description: 'A provider sees the visits of its resources only; a social worker those of their comuni.',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF_AND_PROVIDER)] as const,
    request: { query: z.object({ from: isoDate, to: isoDate }) },
    responses: { 200: ok('Visits', z.object({ visits: z.array(Obj) })), ...errorResponses(400, 401, 403) },
  });

  const statementRoute = createRoute({
    method: 'get',
    path: '/api/v1/provider-statements',
    tags: ['Visits'],
    summary: "A provider's monthly statement: hours redeemed per comune",
    description: 'Provider: its own resources only. Social worker: the rows of their comuni, for a resource serving one of them.',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF_AND_PROVIDER)] as const,
    request: { query: z.object({ resourceId: z.string().max(100), month: isoMonth }) },
    responses: { 200: ok('The statement', Obj), ...errorResponses(400, 401, 403, 404) },
  });

  // ─── ledger ───
  const ledgerRoute = createRoute({
    method: 'get',
    path: '/api/v1/programmes/{id}/ledger',
    tags: ['Vouchers'],
    summary: "A programme's voucher ledger (append-only) and balance",
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF_AND_PROVIDER)] as const,
    request: { params: IdParam },
    responses: { 200: ok('The ledger', z.object({ entries: z.array(LedgerEntrySchema), balanceHours: z.number().int() })), ...errorResponses(401, 403, 404) },
  });

  const redeemRoute = createRoute({
    method: 'post',
    path: '/api/v1/programmes/{id}/redemptions',
    tags: ['Vouchers'],
    summary: 'Redeem whole voucher hours (art. 11) for a done visit or a recorded delivery',
    description: 'Whole hours only (1.5 → 400 rule "art. 11"); beyond the balance → 409 INSUFFICIENT_BALANCE; a visit is redeemed at most once (409). Concurrent redemptions are serialised by the programme row lock.',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF_AND_PROVIDER)] as const,
    request: { params: IdParam, body: json(z.strictObject({ hours: z.number(), deliveredAt: z.string().max(40), visitId: z.string().max(100).optional() })) },
    responses: { 201: ok('The ledger entry', LedgerEntrySchema.extend({ balanceHours: z.number().int() })), ...errorResponses(400, 401, 403, 404, 409) },
  });

  const adjustRoute = createRoute({
    method: 'post',
    path: '/api/v1/programmes/{id}/adjustments',
    tags: ['Vouchers'],
    summary: 'Correct the ledger by signed whole hours, with a reason',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF)] as const,
    request: { params: IdParam, body: json(z.strictObject({ hours: z.number(), reason: z.string().min(1).max(500), on: isoDate.optional() })) },
    responses: { 201: ok('The ledger entry', LedgerEntrySchema.extend({ balanceHours: z.number().int() })), ...errorResponses(400, 401, 403, 404, 409) },
  });

  const vouchersRoute = createRoute({
    method: 'get',
    path: '/api/v1/people/{id}/vouchers',
    tags: ['Vouchers'],
    summary: "The person's current programme's voucher hours (audited read)",
    description: 'issuedHours includes signed adjustments, so issued − redeemed − returned = balance.',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF_AND_PROVIDER)] as const,
    request: { params: IdParam },
    responses: { 200: ok('Voucher hours', VouchersSchema), ...errorResponses(401, 403, 404) },
  });

  // ─── fees ───
  const feeStatementRoute = createRoute({
    method: 'post',
    path: '/api/v1/programmes/{id}/fee-statements',
    tags: ['Fees'],
    summary: "Compute a month's co-payment (art. 14): comune tariff × hours redeemed × ISEE",
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF)] as const,
    request: { params: IdParam, body: json(z.strictObject({ month: isoMonth })) },
    responses: { 200: ok('The statement', Obj), ...errorResponses(400, 401, 403, 404, 409) },
  });

  const paymentRoute = createRoute({
    method: 'post',
    path: '/api/v1/fee-statements/{id}/payments',
    tags: ['Fees'],
    summary: 'Record a payment of a monthly fee',
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF)] as const,
    request: { params: IdParam, body: json(z.strictObject({ amountCents: z.number().int().min(1).max(100_000_000), paidOn: isoDate, method: z.string().max(100).optional() })) },
    responses: { 201: ok('The payment', Obj), ...errorResponses(400, 401, 403, 404, 409) },
  });

  const personFeesRoute = createRoute({
    method: 'get',
    path: '/api/v1/people/{id}/fees',
    tags: ['Fees'],
    summary: "A person's monthly fees, payments and unpaid months (art. 13: interruption allowed after more than 3)",
    security: staffSecurity,
    middleware: [rolesMw(deps, STAFF)] as const,
    request: { params: IdParam },
    responses: { 200: ok('Fees', Obj), ...errorResponses(401, 403, 404) },
  });

  return app
    .openapi(listRoute, async (c) => {
      const staff = currentStaff(c);
      const { status, comuneId } = c.req.valid('query');
      const rows = await db
        .select({ id: programmes.id, personId: programmes.personId, comuneId: programmes.comuneId, periodEnd: programmes.periodEnd })
        .from(programmes)
        .where(and(programmeScopeCondition(staff), status ? eq(programmes.status, status) : sql`true`, comuneId ? eq(programmes.comuneId, comuneId) : sql`true`))
        .orderBy(asc(programmes.periodEnd), asc(programmes.id));
      const totals = await ledgerTotals(db, rows.map((r) => r.id));
      return c.json({ programmes: rows.map((r) => ({ ...r, balanceHours: (totals.get(r.id) ?? emptyBalance()).balance })) }, 200);
    })
    .openapi(createProgrammeRoute, async (c) => {
      const body = c.req.valid('json');
      const person = await loadPersonInScope(deps, c, body.personId);
      if (!person.comuneId) throw notFound();
      const row = await createProgramme(
        db,
        { ...body, comuneId: person.comuneId, contractSignedAt: body.contractSignedAt ? new Date(body.contractSignedAt) : null },
        actorOf(c),
        now(),
      );
      const totals = await ledgerTotals(db, [row.id]);
      return c.json({ programme: programmeView(row), balanceHours: totals.get(row.id)?.balance ?? 0 }, 201);
    })
    .openapi(getRoute, async (c) => {
      const staff = currentStaff(c);
      const scoped = await loadProgrammeInScope(deps, c, c.req.valid('param').id);
      const row = (await findProgramme(db, scoped.id))!;
      const [suspensions, visitRows, evaluationRows, questionnaires, ledger] = [
        await listSuspensions(db, row.id),
        await listVisits(db, row.id),
        await listEvaluations(db, row.id),
        await listQuestionnaireResponses(db, row.id),
        await readLedger(db, row.id),
      ];
      const core = toCoreProgramme(row, suspensions);
      const totals = (await ledgerTotals(db, [row.id])).get(row.id) ?? emptyBalance();
      const due = computeEvaluationDue({ programmeStart: row.periodStart, evaluations: evaluationRows.map((e) => e.evaluatedOn), today: romeDate(now()) });
      await recordAudit(db, { actorType: 'staff', actorId: staff.id, action: 'programme.read', subjectType: 'person', subjectId: row.personId, comuneId: row.comuneId, reason: `programme ${row.id}`, requestId: c.get('requestId') });
      return c.json(
        {
          programme: { ...programmeView(row), plannedEnd: core.plannedEnd, maxEnd: core.maxEnd },
          balance: { issuedHours: totals.issued, redeemedHours: totals.redeemed, returnedHours: totals.returned, adjustedHours: totals.adjusted, balanceHours: totals.balance },
          ledgerEntries: ledger.length,
          visits: visitRows.map(visitView),
          suspensions: suspensions.map((s) => ({ id: s.id, fromDate: s.fromDate, toDate: s.toDate, reason: s.reason, status: s.status, source: s.source, decidedAt: s.decidedAt?.toISOString() ?? null })),
          evaluations: evaluationRows.map((e) => ({ id: e.id, evaluatedOn: e.evaluatedOn, outcome: e.outcome, notes: e.notes })),
          evaluationDue: due,
          questionnaires: questionnaires.map((q) => ({ id: q.id, answers: q.answers, source: q.source, createdAt: q.createdAt.toISOString() })),
        },
        200,
      );
    })
    .openapi(renewRoute, async (c) => {
      const scoped = await loadProgrammeInScope(deps, c, c.req.valid('param').id);
      const body = c.req.valid('json');
      const row = await renewProgrammeRow(db, scoped.id, { ...body, contractSignedAt: body.contractSignedAt ? new Date(body.contractSignedAt) : null }, actorOf(c), now());
      const totals = await ledgerTotals(db, [row.id]);
      return c.json({ programme: programmeView(row), balanceHours: totals.get(row.id)?.balance ?? 0 }, 201);
    })
    .openapi(suspensionRoute, async (c) => {
      const scoped = await loadProgrammeInScope(deps, c, c.req.valid('param').id);
      const s = await recordSuspension(db, scoped.id, c.req.valid('json'), actorOf(c), now());
      return c.json({ id: s.id, programmeId: s.programmeId, fromDate: s.fromDate, toDate: s.toDate, status: s.status, source: s.source }, 201);
    })
    .openapi(decideRoute, async (c) => {
      const { id, suspensionId } = c.req.valid('param');
      const scoped = await loadProgrammeInScope(deps, c, id);
      if (!isUuid(suspensionId)) throw notFound();
      // The person who asked in the chat hears the decision there, in their conversation's language.
      const tell = (d: { status: string; fromDate: string; toDate: string | null }) => (locale: string) =>
        d.status === 'confirmed'
          ? deps.i18n.t('programmes:tell.suspensionConfirmed', { lng: locale, from: formatDay(d.fromDate, asLocale(locale)), to: formatDay(d.toDate ?? d.fromDate, asLocale(locale)) })
          : deps.i18n.t('programmes:tell.suspensionRejected', { lng: locale });
      const s = await decideSuspension(db, scoped.id, suspensionId, c.req.valid('json'), actorOf(c), now(), tell);
      return c.json({ id: s.id, programmeId: s.programmeId, fromDate: s.fromDate, toDate: s.toDate, status: s.status, source: s.source }, 200);
    })
    .openapi(interruptRoute, async (c) => {
      const scoped = await loadProgrammeInScope(deps, c, c.req.valid('param').id);
      const result = await interruptProgrammeRow(db, scoped.id, c.req.valid('json'), actorOf(c), now(), countPersonUnpaidMonths);
      return c.json({ programme: programmeView(result.programme), returnedHours: result.returnedHours }, 200);
    })
    .openapi(evaluationRoute, async (c) => {
      const scoped = await loadProgrammeInScope(deps, c, c.req.valid('param').id);
      const body = c.req.valid('json');
      if (body.evaluatedOn > romeDate(now())) throw fieldError('evaluatedOn', 'programmes:error.evaluationInFuture');
      const row = (await findProgramme(db, scoped.id))!;
      const { evaluation, nextDue } = await recordEvaluation(db, row, body, actorOf(c), now());
      return c.json({ evaluation: { id: evaluation.id, evaluatedOn: evaluation.evaluatedOn, outcome: evaluation.outcome, notes: evaluation.notes }, nextDue }, 201);
    })
    .openapi(questionnaireRoute, async (c) => {
      const scoped = await loadProgrammeInScope(deps, c, c.req.valid('param').id);
      const r = await recordQuestionnaireResponse(db, { programmeId: scoped.id, answers: c.req.valid('json').answers, source: 'staff' });
      await recordAudit(db, { actorType: 'staff', actorId: currentStaff(c).id, action: 'programme.questionnaire.record', subjectType: 'programme', subjectId: scoped.id, comuneId: scoped.comuneId, requestId: c.get('requestId') });
      return c.json({ id: r.id, programmeId: r.programmeId, answers: r.answers, source: r.source }, 201);
    })
    .openapi(createVisitRoute, async (c) => {
      const scoped = await loadProgrammeInScope(deps, c, c.req.valid('param').id);
      const body = c.req.valid('json');
      const resourceId = await checkResource(c, body.resourceId, scoped.resourceId);
      const { visit, warnings } = await scheduleVisit(
        db,
        scoped.id,
        { startsAt: body.startsAt, hours: body.hours, resourceId, ...(body.operators !== undefined ? { operators: body.operators } : {}), ...(body.services ? { services: body.services } : {}) },
        actorOf(c),
      );
      const locale = requestLocale(c);
      return c.json({ visit: visitView(visit), warnings: warnings.map((w) => ({ kind: w.kind, date: w.date, message: render(deps.i18n, w.message, locale) })) }, 201);
    })
    .openapi(visitStatusRoute, async (c) => {
      const staff = currentStaff(c);
      const { id } = c.req.valid('param');
      if (!isUuid(id)) throw notFound();
      const found = await findVisit(db, id);
      if (!found) throw notFound();
      const resourceId = found.visit.resourceId ?? found.programmeResourceId;
      const visible =
        staff.role === 'admin' || (staff.role === 'provider' ? resourceId !== null && staff.resources.includes(resourceId) : staff.comuni.includes(found.comuneId));
      if (!visible) throw await deniedForScope(deps, c, 'visit', id, found.comuneId);
      const visit = await changeVisitStatus(db, id, c.req.valid('json').status, actorOf(c), now());
      return c.json({ visit: visitView(visit) }, 200);
    })
    .openapi(calendarRoute, async (c) => {
      const staff = currentStaff(c);
      const { from, to } = c.req.valid('query');
      if (to < from) throw fieldError('to', 'programmes:error.rangeInverted');
      if (daysBetween(from, to) > 92) throw fieldError('to', 'programmes:error.rangeTooLong');
      const end = DateTime.fromISO(to, { zone: ROME_ZONE }).plus({ days: 1 }).toISODate()!;
      const scope =
        staff.role === 'admin'
          ? sql`true`
          : staff.role === 'provider'
            ? staff.resources.length
              ? inArray(sql`coalesce(${visits.resourceId}, ${programmes.resourceId})`, staff.resources)
              : sql`false`
            : staff.comuni.length
              ? inArray(programmes.comuneId, staff.comuni)
              : sql`false`;
      // `redeemed`: a done visit whose hours were not charged (the balance ran out) shows as such,
      // and its hours can be recorded again once the social worker has added some.
      const redeemed = sql<boolean>`exists (select 1 from ${voucherLedger} where ${voucherLedger.visitId} = ${visits.id} and ${voucherLedger.kind} = 'redeem')`;
      const rows = await db
        .select({ visit: visits, personId: programmes.personId, comuneId: programmes.comuneId, redeemed })
        .from(visits)
        .innerJoin(programmes, eq(programmes.id, visits.programmeId))
        .where(and(scope, gte(visits.startsAt, romeMidnight(from)), lt(visits.startsAt, romeMidnight(end))))
        .orderBy(asc(visits.startsAt), asc(visits.id))
        .limit(5000);
      return c.json({ visits: rows.map((r) => ({ ...visitView(r.visit), personId: r.personId, comuneId: r.comuneId, redeemed: r.redeemed === true })) }, 200);
    })
    .openapi(statementRoute, async (c) => {
      const staff = currentStaff(c);
      const { resourceId, month } = c.req.valid('query');
      if (!isUuid(resourceId)) throw notFound();
      const [resource] = await db.select({ id: resources.id }).from(resources).where(eq(resources.id, resourceId));
      if (!resource) throw notFound();
      let comuneFilter: string[] | null = null;
      if (staff.role === 'provider') {
        if (!staff.resources.includes(resourceId)) throw await deniedForScope(deps, c, 'resource', resourceId);
      } else if (staff.role !== 'admin') {
        const served = await db.select({ comuneId: resourceComuni.comuneId }).from(resourceComuni).where(eq(resourceComuni.resourceId, resourceId));
        comuneFilter = served.map((s) => s.comuneId).filter((id) => staff.comuni.includes(id));
        if (comuneFilter.length === 0) throw await deniedForScope(deps, c, 'resource', resourceId);
      }
      return c.json(await providerMonthlyStatement(db, resourceId, month, comuneFilter), 200);
    })
    .openapi(ledgerRoute, async (c) => {
      const scoped = await loadProgrammeInScope(deps, c, c.req.valid('param').id);
      const rows = await readLedger(db, scoped.id);
      const totals = (await ledgerTotals(db, [scoped.id])).get(scoped.id) ?? emptyBalance();
      await recordAudit(db, { actorType: 'staff', actorId: currentStaff(c).id, action: 'ledger.read', subjectType: 'programme', subjectId: scoped.id, comuneId: scoped.comuneId, requestId: c.get('requestId') });
      return c.json({ entries: rows.map(ledgerEntryView), balanceHours: totals.balance }, 200);
    })
    .openapi(redeemRoute, async (c) => {
      const staff = currentStaff(c);
      const scoped = await loadProgrammeInScope(deps, c, c.req.valid('param').id);
      const body = c.req.valid('json');
      if (body.visitId !== undefined && !isUuid(body.visitId)) throw new DomainError('NOT_FOUND', { key: 'programmes:error.visitNotFound' });
      const deliveredAt = parseInstant(body.deliveredAt, 'deliveredAt');
      if (deliveredAt.getTime() > now().getTime()) throw fieldError('deliveredAt', 'programmes:error.deliveredInFuture');
      const { entry, balanceHours } = await redeemVouchers(
        db,
        scoped.id,
        { hours: body.hours, deliveredAt, ...(body.visitId ? { visitId: body.visitId } : {}), ...(staff.role === 'provider' ? { resourceOnly: staff.resources } : {}) },
        actorOf(c),
      );
      return c.json({ ...ledgerEntryView(entry), balanceHours }, 201);
    })
    .openapi(adjustRoute, async (c) => {
      const scoped = await loadProgrammeInScope(deps, c, c.req.valid('param').id);
      const body = c.req.valid('json');
      const { entry, balanceHours } = await adjustVouchers(db, scoped.id, { hours: body.hours, reason: body.reason, on: body.on ?? romeDate(now()) }, actorOf(c));
      return c.json({ ...ledgerEntryView(entry), balanceHours }, 201);
    })
    .openapi(vouchersRoute, async (c) => {
      const staff = currentStaff(c);
      const person = await loadPersonInScope(deps, c, c.req.valid('param').id);
      const current = await findCurrentProgramme(db, person.id);
      if (!current) throw notFound();
      if (staff.role === 'provider' && !(current.resourceId && staff.resources.includes(current.resourceId))) throw await deniedForScope(deps, c, 'person', person.id, person.comuneId);
      const totals = (await ledgerTotals(db, [current.id])).get(current.id) ?? emptyBalance();
      await recordAudit(db, { actorType: 'staff', actorId: staff.id, action: 'person.vouchers.read', subjectType: 'person', subjectId: person.id, comuneId: person.comuneId, requestId: c.get('requestId') });
      return c.json(
        {
          programmeId: current.id,
          issuedHours: totals.issued + totals.adjusted,
          redeemedHours: totals.redeemed,
          returnedHours: totals.returned,
          balanceHours: totals.balance,
          periodEnd: current.periodEnd,
        },
        200,
      );
    })
    .openapi(feeStatementRoute, async (c) => {
      const scoped = await loadProgrammeInScope(deps, c, c.req.valid('param').id);
      const row = (await findProgramme(db, scoped.id))!;
      const s = await computeFeeStatement(db, row, c.req.valid('json').month, actorOf(c));
      return c.json({ id: s.id, programmeId: s.programmeId, personId: s.personId, comuneId: s.comuneId, month: s.month, redeemedHours: s.redeemedHours, amountCents: s.amountCents, dueOn: s.dueOn }, 200);
    })
    .openapi(paymentRoute, async (c) => {
      const staff = currentStaff(c);
      const { id } = c.req.valid('param');
      if (!isUuid(id)) throw notFound();
      const statement = await findFeeStatement(db, id);
      if (!statement) throw notFound();
      if (staff.role !== 'admin' && !staff.comuni.includes(statement.comuneId)) throw await deniedForScope(deps, c, 'fee_statement', id, statement.comuneId);
      const result = await recordPayment(db, id, c.req.valid('json'), actorOf(c));
      return c.json({ id: result.payment.id, statementId: id, amountCents: result.payment.amountCents, paidOn: result.payment.paidOn, paidCents: result.paidCents, dueCents: result.dueCents }, 201);
    })
    .openapi(personFeesRoute, async (c) => {
      const person = await loadPersonInScope(deps, c, c.req.valid('param').id, { action: 'person.fees.read' });
      return c.json(await personFees(db, person.id, romeDate(now())), 200);
    });
}
