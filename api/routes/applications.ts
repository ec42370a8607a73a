/**
 * Applications, their status workflow, assessments, written answers and access-record changes
 * (issue #4). Admins and social workers only (social workers: their comuni; another comune's
 * record answers 404, audited); operators and providers get 403.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { romeDateOf, formatLetterDate } from '../../core/applications/dates.ts';
import { composeWrittenAnswer, isAnswerable } from '../../core/applications/written-answer.ts';
import { allowedTransitions, APPLICATION_ORIGINS, APPLICATION_STATUSES, type ApplicationStatus } from '../../core/applications/workflow.ts';
import { DomainError, type MessageRef } from '../../core/errors.ts';
import { isIsoDate } from '../../core/regulation/calendar.ts';
import { checkIseeValidity } from '../../core/regulation/isee.ts';
import { checkIstruttoria } from '../../core/regulation/istruttoria.ts';
import {
  createApplication,
  findAccessRecordChangeScope,
  findApplicationScope,
  listAccessRecordChanges,
  listApplications,
  loadApplicationFile,
  recordAnswerSent,
  recordAssessment,
  reviewAccessRecordChange,
  transitionApplication,
  updateIsee,
  type PersonContactChanges,
} from '../../db/applications.ts';
import { recordAudit } from '../../db/audit.ts';
import { comuneExists } from '../../db/comuni.ts';
import { asLocale } from '../../locales/index.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { canSeeComune, assertComuneInScope, requireRole } from '../guard.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';
import { createRouter } from '../router.ts';
import { currentStaff, deniedForScope, isUuid, loadPersonInScope, notFound } from '../scope.ts';
import { renderWrittenAnswer } from '../web/written-answer.ts';

const ROLES = ['admin', 'social_worker'] as const;
const TAG = 'Applications';

const IsoDate = z
  .string()
  .max(10)
  .refine((v) => isIsoDate(v), { params: { key: 'errors:field.invalidFormat' } })
  .openapi({ example: '2026-11-23', format: 'date' });
const IdParam = z.object({ id: z.string().max(100).openapi({ format: 'uuid' }) });
const Note = z.string().trim().min(1).max(2000);

const fieldError = (field: string, key: string, params?: MessageRef['params']) =>
  new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { [field]: params ? { key, params } : { key } } });

// ───────────────────────────── schemas ─────────────────────────────

const Istruttoria = z.object({ dueDate: z.string(), daysLeft: z.number().int(), overdue: z.boolean(), answeredLate: z.boolean() }).openapi('Istruttoria');

const ApplicationSummary = z
  .object({
    id: z.string().uuid(),
    personId: z.string().uuid(),
    personName: z.string().nullable(),
    comuneId: z.string(),
    origin: z.enum(APPLICATION_ORIGINS),
    status: z.enum(APPLICATION_STATUSES),
    applicationDate: z.string(),
    totalPoints: z.number().int().nullable(),
    autonomyPoints: z.number().int().nullable(),
    dueDate: z.string().openapi({ description: 'Art. 4: the written answer is due by this day (application date + 30 days).' }),
    daysLeft: z.number().int(),
    overdue: z.boolean().openapi({ description: 'Past the due date, not answered and not closed.' }),
    answerSentOn: z.string().nullable(),
  })
  .openapi('ApplicationSummary');

const AssessmentSchema = z
  .object({
    id: z.string().uuid(),
    criteria: z.record(z.string(), z.number()),
    items: z.record(z.string(), z.array(z.number())).nullable(),
    iseeCents: z.number().int(),
    iseeYear: z.number().int().nullable(),
    iseeBand: z.string(),
    totalPoints: z.number().int(),
    autonomyPoints: z.number().int(),
    specialSituation: z.object({ reason: z.string(), author: z.string() }).nullable(),
    assessedBy: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Assessment');

const ApplicationFile = z
  .object({
    application: ApplicationSummary.omit({ personName: true, dueDate: true, daysLeft: true, overdue: true, answerSentOn: true }).extend({ createdAt: z.string(), updatedAt: z.string() }),
    person: z.object({ id: z.string(), givenName: z.string().nullable(), familyName: z.string().nullable(), birthDate: z.string().nullable(), address: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable() }),
    istruttoria: Istruttoria,
    waitingList: z.object({ position: z.number().int(), ahead: z.number().int() }).nullable(),
    isee: z.object({ iseeCents: z.number().int(), iseeYear: z.number().int(), validUntil: z.string(), expired: z.boolean(), rescoreRequired: z.boolean() }).nullable(),
    eligibility: z.record(z.string(), z.unknown()).nullable(),
    answer: z.object({ outcome: z.string().nullable(), sentOn: z.string(), via: z.string().nullable(), sentBy: z.string().nullable() }).nullable(),
    applicantPersonId: z.string().nullable(),
    segnalazioneId: z.string().nullable(),
    closedReason: z.string().nullable(),
    allowedTransitions: z.array(z.enum(APPLICATION_STATUSES)),
    assessments: z.array(AssessmentSchema),
    statusHistory: z.array(z.object({ fromStatus: z.string().nullable(), toStatus: z.string(), at: z.string(), byStaffId: z.string().nullable(), note: z.string().nullable() })),
    pendingAccessRecordChanges: z.number().int(),
  })
  .openapi('ApplicationFile');

const AccessRecordChange = z
  .object({
    id: z.string().uuid(),
    personId: z.string().uuid(),
    personName: z.string().nullable(),
    comuneId: z.string().nullable(),
    applicationId: z.string().nullable(),
    source: z.string(),
    changes: z.record(z.string(), z.unknown()),
    status: z.enum(['pending', 'confirmed', 'rejected']),
    createdAt: z.string(),
    reviewedAt: z.string().nullable(),
  })
  .openapi('AccessRecordChange');

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });

// ───────────────────────────── routes ─────────────────────────────

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/applications',
  tags: [TAG],
  summary: 'Applications of your comuni, oldest first, with the art. 4 due date and overdue flag',
  security: staffSecurity,
  request: {
    query: z.object({
      comuneId: z.string().min(1).max(100).optional(),
      status: z.enum(APPLICATION_STATUSES).optional(),
      overdue: z.enum(['true', 'false']).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    }),
  },
  responses: { 200: json(z.object({ applications: z.array(ApplicationSummary), nextOffset: z.number().int().nullable() }), 'One page'), ...errorResponses(400, 401, 403, 404) },
});

const createBody = z
  .strictObject({
    personId: z.string().uuid().openapi({ description: 'The beneficiary (a person in your comuni)' }),
    origin: z.enum(APPLICATION_ORIGINS),
    applicationDate: IsoDate.optional().openapi({ description: 'Day received; defaults to today (Europe/Rome)' }),
    applicantPersonId: z.string().uuid().optional().openapi({ description: 'The delegate who applied (origin delegate)' }),
    segnalazioneId: z.string().uuid().optional().openapi({ description: 'The report behind an ex officio application' }),
    note: Note.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.origin === 'delegate' && !v.applicantPersonId) ctx.addIssue({ code: 'custom', path: ['applicantPersonId'], params: { key: 'applications:errors.requiredForOrigin' }, message: 'required' });
    if (v.origin === 'ex_officio' && !v.segnalazioneId) ctx.addIssue({ code: 'custom', path: ['segnalazioneId'], params: { key: 'applications:errors.requiredForOrigin' }, message: 'required' });
  });

const createRouteDef = createRoute({
  method: 'post',
  path: '/api/v1/applications',
  tags: [TAG],
  summary: 'Record an application (art. 4) after the art. 3 eligibility check',
  description:
    'The art. 3 check runs on the person\'s file (codice fiscale, birth date, residence, invalidity, category 3). An eligible person\'s application is `received`; an ineligible one is recorded as `not_eligible` with the reasons, so that it still gets its art. 4 written answer. A person living outside the ambito gets 422 NOT_ELIGIBLE (no comune to apply to); one open application per person (409).',
  security: staffSecurity,
  request: body(createBody),
  responses: {
    201: json(z.object({ application: ApplicationSummary, eligibility: z.record(z.string(), z.unknown()) }), 'Recorded'),
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
});

const detailRoute = createRoute({
  method: 'get',
  path: '/api/v1/applications/{id}',
  tags: [TAG],
  summary: "An application's file: assessments, status history, ISEE, answer, waiting-list place (audited read)",
  security: staffSecurity,
  request: { params: IdParam },
  responses: { 200: json(ApplicationFile, 'The file'), ...errorResponses(401, 403, 404) },
});

const transitionRoute = createRoute({
  method: 'post',
  path: '/api/v1/applications/{id}/transitions',
  tags: [TAG],
  summary: 'Move an application along its status workflow',
  description:
    'received → under_investigation → assessed → waiting_list / admitted / not_eligible → closed (see allowedTransitions in the file). A refused move answers 409 naming the allowed ones; assessed, waiting_list and admitted need a score.',
  security: staffSecurity,
  request: { params: IdParam, ...body(z.strictObject({ to: z.enum(APPLICATION_STATUSES), note: Note.optional() })) },
  responses: { 200: json(z.object({ application: ApplicationSummary, allowedTransitions: z.array(z.enum(APPLICATION_STATUSES)) }), 'Moved'), ...errorResponses(400, 401, 403, 404, 409) },
});

const assessmentBody = z.strictObject({
  criteria: z.record(z.string().max(40), z.number()).openapi({ example: { autonomy: 30, family: 10, network: 3, stress: 8, housing: 2 } }),
  items: z.record(z.string().max(40), z.array(z.number()).max(20)).optional(),
  iseeCents: z.number().optional().openapi({ description: 'Defaults to the ISEE on file' }),
  iseeYear: z.number().optional().openapi({ description: 'Defaults to the ISEE on file' }),
  specialSituation: z.strictObject({ reason: Note }).optional().openapi({ description: 'Art. 5 special social situation: kept beside the score, never changes it' }),
});

const assessmentRoute = createRoute({
  method: 'post',
  path: '/api/v1/applications/{id}/assessments',
  tags: [TAG],
  summary: 'Record a new assessment (art. 5–6); the score is the same as /assessments/preview',
  description: 'Saved as a new row (history), its total and autonomy points copied onto the application for the waiting list. An application under investigation becomes assessed.',
  security: staffSecurity,
  request: { params: IdParam, ...body(assessmentBody) },
  responses: {
    201: json(z.object({ assessment: AssessmentSchema, status: z.enum(APPLICATION_STATUSES), rescoreRequired: z.boolean(), iseeValidUntil: z.string() }), 'Saved'),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const iseeRoute = createRoute({
  method: 'put',
  path: '/api/v1/applications/{id}/isee',
  tags: [TAG],
  summary: 'Record a new ISEE attestation (valid to 31 December of its year) and rescore',
  description: 'When the application has an assessment, the rescoring is a new assessment row with the same criteria and the new economic points.',
  security: staffSecurity,
  request: { params: IdParam, ...body(z.strictObject({ iseeCents: z.number(), iseeYear: z.number() })) },
  responses: {
    200: json(z.object({ isee: z.object({ year: z.number().int(), validUntil: z.string(), expired: z.boolean() }), rescored: AssessmentSchema.nullable() }), 'Stored'),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const answerRoute = createRoute({
  method: 'get',
  path: '/api/v1/applications/{id}/written-answer',
  tags: [TAG],
  summary: 'The art. 4 written answer as a printable A4 HTML document in Italian (audited)',
  security: staffSecurity,
  request: { params: IdParam, query: z.object({ lang: z.enum(['it', 'en']).optional() }) },
  responses: {
    200: { description: 'HTML document', content: { 'text/html': { schema: z.string() } } },
    ...errorResponses(401, 403, 404, 409),
  },
});

const answerSentRoute = createRoute({
  method: 'post',
  path: '/api/v1/applications/{id}/written-answer/sent',
  tags: [TAG],
  summary: 'Record that the written answer was sent (day and means)',
  security: staffSecurity,
  request: { params: IdParam, ...body(z.strictObject({ sentOn: IsoDate, via: z.enum(['post', 'email', 'hand', 'pec']) })) },
  responses: { 200: json(z.object({ outcome: z.string(), sentOn: z.string(), via: z.string(), istruttoria: Istruttoria }), 'Recorded'), ...errorResponses(400, 401, 403, 404, 409) },
});

const changesListRoute = createRoute({
  method: 'get',
  path: '/api/v1/access-record-changes',
  tags: [TAG],
  summary: "Citizens' updates of their access record waiting for a social worker (your comuni)",
  security: staffSecurity,
  request: {
    query: z.object({
      status: z.enum(['pending', 'confirmed', 'rejected']).default('pending'),
      comuneId: z.string().min(1).max(100).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    }),
  },
  responses: { 200: json(z.object({ changes: z.array(AccessRecordChange), nextOffset: z.number().int().nullable() }), 'One page'), ...errorResponses(400, 401, 403, 404) },
});

const reviewResponse = json(z.object({ change: AccessRecordChange.omit({ personName: true, comuneId: true }), applied: z.array(z.string()) }), 'Reviewed');

const confirmRoute = createRoute({
  method: 'post',
  path: '/api/v1/access-record-changes/{id}/confirm',
  tags: [TAG],
  summary: 'Confirm a change: phone, email, address, lives alone, family support are applied to the person',
  description: 'Other proposed items (a free-text changed situation) stay on the change for the file; they are not applied.',
  security: staffSecurity,
  request: { params: IdParam },
  responses: { 200: reviewResponse, ...errorResponses(400, 401, 403, 404, 409) },
});

const rejectRoute = createRoute({
  method: 'post',
  path: '/api/v1/access-record-changes/{id}/reject',
  tags: [TAG],
  summary: 'Reject a proposed change (nothing is applied)',
  security: staffSecurity,
  request: { params: IdParam },
  responses: { 200: reviewResponse, ...errorResponses(400, 401, 403, 404, 409) },
});

// ───────────────────────────── helpers ─────────────────────────────

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const fullName = (p: { givenName: string | null; familyName: string | null }) => [p.givenName, p.familyName].filter(Boolean).join(' ') || null;

function summary(row: {
  id: string;
  personId: string;
  comuneId: string;
  origin: (typeof APPLICATION_ORIGINS)[number];
  status: ApplicationStatus;
  applicationDate: string;
  totalPoints: number | null;
  autonomyPoints: number | null;
}, today: string, personName: string | null, answerSentAt: Date | null) {
  const answeredOn = answerSentAt ? romeDateOf(answerSentAt) : null;
  const ist = checkIstruttoria({ applicationDate: row.applicationDate, today, answeredOn });
  return {
    id: row.id,
    personId: row.personId,
    personName,
    comuneId: row.comuneId,
    origin: row.origin,
    status: row.status,
    applicationDate: row.applicationDate,
    totalPoints: row.totalPoints,
    autonomyPoints: row.autonomyPoints,
    dueDate: ist.dueDate,
    daysLeft: ist.daysLeft,
    overdue: ist.overdue && row.status !== 'closed',
    answerSentOn: answeredOn,
  };
}

function assessmentOut(a: import('../../db/applications.ts').AssessmentRow) {
  return {
    id: a.id,
    criteria: a.criteria,
    items: a.items ?? null,
    iseeCents: a.iseeCents,
    iseeYear: a.iseeYear,
    iseeBand: a.iseeBand,
    totalPoints: a.totalPoints,
    autonomyPoints: a.autonomyPoints,
    specialSituation: a.specialSituation ?? null,
    assessedBy: a.assessedBy,
    createdAt: a.createdAt.toISOString(),
  };
}

// Values a citizen proposed, checked again before they reach the person's file.
const contactChanges = z.object({
  phone: z.string().trim().regex(/^\+?[0-9][0-9 ./-]{4,24}$/).nullable().optional(),
  email: z.string().trim().max(254).pipe(z.email()).nullable().optional(),
  address: z.string().trim().min(1).max(300).nullable().optional(),
  livesAlone: z.boolean().optional(),
  familySupport: z.boolean().optional(),
});
const CONTACT_FIELDS = ['phone', 'email', 'address', 'livesAlone', 'familySupport'] as const;

function validateContactChanges(changes: Record<string, unknown>): PersonContactChanges {
  const picked = Object.fromEntries(CONTACT_FIELDS.filter((k) => k in changes).map((k) => [k, changes[k]]));
  const parsed = contactChanges.safeParse(picked);
  if (!parsed.success) {
    const fields: Record<string, MessageRef> = {};
    for (const issue of parsed.error.issues) fields[`changes.${issue.path.map(String).join('.')}`] = { key: 'applications:errors.invalidChangeValue' };
    throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields });
  }
  const out: PersonContactChanges = {};
  for (const k of CONTACT_FIELDS) if (parsed.data[k] !== undefined) (out as Record<string, unknown>)[k] = parsed.data[k];
  return out;
}

// ───────────────────────────── handlers ─────────────────────────────

export function applicationRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const app = createRouter();
  for (const path of ['/api/v1/applications', '/api/v1/applications/*', '/api/v1/access-record-changes', '/api/v1/access-record-changes/*']) {
    app.use(path, requireRole(deps, ROLES));
  }
  const today = () => romeDateOf(deps.now());
  const actor = (c: Context<AppEnv>) => ({ staffId: currentStaff(c).id, requestId: c.get('requestId') });

  /** The application if the caller may see it; otherwise 404 (audited when it exists elsewhere). */
  async function applicationInScope(c: Context<AppEnv>, id: string) {
    const staff = currentStaff(c);
    if (!isUuid(id)) throw notFound();
    const row = await findApplicationScope(db, id);
    if (!row) throw notFound();
    if (!canSeeComune(staff, row.comuneId)) throw await deniedForScope(deps, c, 'application', id, row.comuneId);
    return row;
  }

  async function scopedComuni(c: Context<AppEnv>, comuneId: string | undefined): Promise<readonly string[] | null> {
    const staff = currentStaff(c);
    if (comuneId !== undefined) {
      await assertComuneInScope(deps, c, comuneId);
      if (!(await comuneExists(db, comuneId))) throw notFound();
    }
    return staff.role === 'admin' ? null : staff.comuni;
  }

  return app
    .openapi(listRoute, async (c) => {
      const q = c.req.valid('query');
      const scope = await scopedComuni(c, q.comuneId);
      const day = today();
      const { rows, more } = await listApplications(db, { scopeComuni: scope, comuneId: q.comuneId, status: q.status, overdue: q.overdue === 'true', today: day, limit: q.limit, offset: q.offset });
      await recordAudit(db, { actorType: 'staff', actorId: currentStaff(c).id, action: 'application.list', subjectType: 'comune', subjectId: q.comuneId, comuneId: q.comuneId ?? null, reason: `${rows.length} rows`, requestId: c.get('requestId') });
      let list = rows.map((r) => summary(r, day, fullName(r), r.answerSentAt));
      if (q.overdue === 'false') list = list.filter((r) => !r.overdue);
      return c.json({ applications: list, nextOffset: more ? q.offset + q.limit : null }, 200);
    })
    .openapi(createRouteDef, async (c) => {
      const input = c.req.valid('json');
      await loadPersonInScope(deps, c, input.personId);
      const day = today();
      const applicationDate = input.applicationDate ?? day;
      if (applicationDate > day) throw fieldError('applicationDate', 'applications:errors.dateInFuture');
      const { application, eligibility } = await createApplication(
        db,
        {
          personId: input.personId,
          origin: input.origin,
          applicationDate,
          ...(input.applicantPersonId ? { applicantPersonId: input.applicantPersonId } : {}),
          ...(input.segnalazioneId ? { segnalazioneId: input.segnalazioneId } : {}),
          ...(input.note ? { note: input.note } : {}),
          today: day,
        },
        actor(c),
      );
      // The decoded codice fiscale stays out of the answer: only the facts of the check.
      const { codiceFiscale: _cf, ...facts } = eligibility;
      return c.json({ application: summary(application, day, null, null), eligibility: facts as Record<string, unknown> }, 201);
    })
    .openapi(detailRoute, async (c) => {
      const { id } = c.req.valid('param');
      await applicationInScope(c, id);
      const file = await loadApplicationFile(db, id);
      if (!file) throw notFound();
      const staff = currentStaff(c);
      await recordAudit(db, { actorType: 'staff', actorId: staff.id, action: 'application.read', subjectType: 'application', subjectId: id, comuneId: file.app.comuneId, reason: `person ${file.app.personId}`, requestId: c.get('requestId') });
      const day = today();
      const d = file.details;
      const isee = d?.iseeCents != null && d.iseeYear != null ? { ...checkIseeValidity(d.iseeYear, d.iseeYear > Number(day.slice(0, 4)) ? `${d.iseeYear}-01-01` : day), iseeCents: d.iseeCents } : null;
      const answeredOn = d?.answerSentAt ? romeDateOf(d.answerSentAt) : null;
      return c.json(
        {
          application: { ...summary(file.app, day, null, d?.answerSentAt ?? null), createdAt: file.app.createdAt.toISOString(), updatedAt: file.app.updatedAt.toISOString() },
          person: { id: file.person.id, givenName: file.person.givenName, familyName: file.person.familyName, birthDate: file.person.birthDate, address: file.person.address, phone: file.person.phone, email: file.person.email },
          istruttoria: checkIstruttoria({ applicationDate: file.app.applicationDate, today: day, answeredOn }),
          waitingList: file.position,
          isee: isee ? { iseeCents: isee.iseeCents, iseeYear: isee.year, validUntil: isee.validUntil, expired: isee.expired, rescoreRequired: isee.expired && file.app.totalPoints !== null } : null,
          eligibility: d?.eligibility ?? null,
          answer: d?.answerSentAt ? { outcome: d.answerOutcome, sentOn: answeredOn!, via: d.answerSentVia, sentBy: d.answerSentBy } : null,
          applicantPersonId: d?.applicantPersonId ?? null,
          segnalazioneId: d?.segnalazioneId ?? null,
          closedReason: d?.closedReason ?? null,
          allowedTransitions: [...allowedTransitions(file.app.status)],
          assessments: file.assessments.map(assessmentOut),
          statusHistory: file.history.map((h) => ({ fromStatus: h.fromStatus, toStatus: h.toStatus, at: h.at.toISOString(), byStaffId: h.byStaffId, note: h.note })),
          pendingAccessRecordChanges: file.pendingAccessRecordChanges,
        },
        200,
      );
    })
    .openapi(transitionRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { to, note } = c.req.valid('json');
      await applicationInScope(c, id);
      const updated = await transitionApplication(db, id, to, note, actor(c));
      return c.json({ application: summary(updated, today(), null, null), allowedTransitions: [...allowedTransitions(updated.status)] }, 200);
    })
    .openapi(assessmentRoute, async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      await applicationInScope(c, id);
      const { assessment, scored, status } = await recordAssessment(db, id, input, today(), actor(c));
      return c.json({ assessment: assessmentOut(assessment), status, rescoreRequired: scored.rescoreRequired, iseeValidUntil: scored.isee.validUntil }, 201);
    })
    .openapi(iseeRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { iseeCents, iseeYear } = c.req.valid('json');
      await applicationInScope(c, id);
      const { validity, rescored } = await updateIsee(db, id, iseeCents, iseeYear, today(), actor(c));
      return c.json({ isee: validity, rescored: rescored ? assessmentOut(rescored.assessment) : null }, 200);
    })
    .openapi(answerRoute, async (c) => {
      const { id } = c.req.valid('param');
      const locale = asLocale(c.req.valid('query').lang);
      await applicationInScope(c, id);
      const file = await loadApplicationFile(db, id);
      if (!file) throw notFound();
      const day = today();
      const latest = file.assessments.at(-1);
      const iseeYear = file.details?.iseeYear ?? latest?.iseeYear ?? null;
      const answer = composeWrittenAnswer({
        status: file.app.status,
        applicationDate: formatLetterDate(file.app.applicationDate, locale),
        issuedOn: day,
        comuneName: file.comune.name,
        criteria: latest ? latest.criteria : null,
        totalPoints: file.app.totalPoints,
        position: file.position,
        ineligibilityReasons: Array.isArray(file.details?.eligibility?.reasons) ? (file.details!.eligibility!.reasons as string[]) : [],
        iseeExpired: iseeYear !== null && iseeYear <= Number(day.slice(0, 4)) && checkIseeValidity(iseeYear, day).expired,
        officeAddress: file.comune.officeAddress,
      });
      if (!answer) throw new DomainError('CONFLICT', { key: 'applications:errors.answerNotReady', params: { status: file.app.status } });
      await recordAudit(db, { actorType: 'staff', actorId: currentStaff(c).id, action: 'application.written_answer.read', subjectType: 'application', subjectId: id, comuneId: file.app.comuneId, reason: answer.outcome, requestId: c.get('requestId') });
      const page = renderWrittenAnswer(deps.i18n, {
        answer,
        locale,
        issuedOn: formatLetterDate(day, locale),
        comuneName: file.comune.name,
        officeAddress: file.comune.officeAddress,
        recipient: { name: fullName(file.person) ?? '', address: file.person.address },
        reference: id,
      });
      return c.html(page, 200) as never;
    })
    .openapi(answerSentRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { sentOn, via } = c.req.valid('json');
      await applicationInScope(c, id);
      const file = await loadApplicationFile(db, id);
      if (!file) throw notFound();
      const day = today();
      if (!isAnswerable(file.app.status)) throw new DomainError('CONFLICT', { key: 'applications:errors.answerNotReady', params: { status: file.app.status } });
      if (sentOn > day) throw fieldError('sentOn', 'applications:errors.dateInFuture');
      if (sentOn < file.app.applicationDate) throw fieldError('sentOn', 'applications:errors.beforeApplication');
      await recordAnswerSent(db, id, { sentOn, via, outcome: file.app.status }, actor(c));
      return c.json({ outcome: file.app.status, sentOn, via, istruttoria: checkIstruttoria({ applicationDate: file.app.applicationDate, today: day, answeredOn: sentOn }) }, 200);
    })
    .openapi(changesListRoute, async (c) => {
      const q = c.req.valid('query');
      const scope = await scopedComuni(c, q.comuneId);
      const { rows, more } = await listAccessRecordChanges(db, { scopeComuni: scope, status: q.status, comuneId: q.comuneId, limit: q.limit, offset: q.offset });
      await recordAudit(db, { actorType: 'staff', actorId: currentStaff(c).id, action: 'access_record_change.list', subjectType: 'comune', subjectId: q.comuneId, comuneId: q.comuneId ?? null, reason: `${rows.length} rows`, requestId: c.get('requestId') });
      return c.json(
        {
          changes: rows.map((r) => ({
            id: r.id,
            personId: r.personId,
            personName: fullName(r),
            comuneId: r.comuneId,
            applicationId: r.applicationId,
            source: r.source,
            changes: r.changes,
            status: r.status,
            createdAt: r.createdAt.toISOString(),
            reviewedAt: iso(r.reviewedAt),
          })),
          nextOffset: more ? q.offset + q.limit : null,
        },
        200,
      );
    })
    .openapi(confirmRoute, async (c) => reviewChange(c, c.req.valid('param').id, 'confirmed'))
    .openapi(rejectRoute, async (c) => reviewChange(c, c.req.valid('param').id, 'rejected'));

  async function reviewChange(c: Context<AppEnv>, id: string, decision: 'confirmed' | 'rejected') {
    const staff = currentStaff(c);
    if (!isUuid(id)) throw notFound();
    const scope = await findAccessRecordChangeScope(db, id);
    if (!scope) throw notFound();
    if (!(staff.role === 'admin' || (scope.comuneId !== null && canSeeComune(staff, scope.comuneId)))) {
      throw await deniedForScope(deps, c, 'access_record_change', id, scope.comuneId);
    }
    const { change, applied } = await reviewAccessRecordChange(db, id, decision, validateContactChanges, actor(c));
    return c.json(
      {
        change: {
          id: change.id,
          personId: change.personId,
          applicationId: change.applicationId,
          source: change.source,
          changes: change.changes,
          status: change.status,
          createdAt: change.createdAt.toISOString(),
          reviewedAt: iso(change.reviewedAt),
        },
        applied,
      },
      200,
    );
  }
}
