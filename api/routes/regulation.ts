/**
 * Staff API over the regulation rules (fixed contract): comuni, assessment preview (art. 5–6),
 * a comune's waiting list (art. 6), allocation preview (art. 15). Previews save nothing.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { DomainError, RuleViolation } from '../../core/errors.ts';
import { allocateHours, allocationInput, allocationOutput } from '../../core/regulation/allocation.ts';
import { assessmentBreakdownOutput, assessmentPreviewInput, previewAssessment } from '../../core/regulation/assessment.ts';
import { checkVisitPlan } from '../../core/regulation/delivery.ts';
import { planProgramme } from '../../core/regulation/programme.ts';
import { comuneExists, listComuni } from '../../db/comuni.ts';
import { createWaitingListQueries, decodeCursor, encodeCursor } from '../../db/waiting-list.ts';
import { createRouter } from '../router.ts';
import type { AppDeps } from '../context.ts';
import { validationError } from '../errors.ts';
import { assertComuneInScope, requireRole } from '../guard.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';

const ComuneSchema = z.object({ id: z.string(), name: z.string(), over65: z.number().int() }).openapi('Comune');

const listComuniRoute = createRoute({
  method: 'get',
  path: '/api/v1/comuni',
  tags: ['Regulation'],
  summary: "The ambito's comuni with their over-65 population",
  security: staffSecurity,
  responses: {
    200: { description: 'Comuni', content: { 'application/json': { schema: z.object({ comuni: z.array(ComuneSchema) }) } } },
    ...errorResponses(401),
  },
});

const previewRoute = createRoute({
  method: 'post',
  path: '/api/v1/assessments/preview',
  tags: ['Regulation'],
  summary: 'Score an assessment (art. 5–6) without saving it',
  description: 'Criteria points within their maxima (autonomy 40, family 15, network 5, stress 15, housing 5); ISEE in euro cents gives the economic points. Item detail, when given, must add up to the criterion points.',
  security: staffSecurity,
  request: { body: { required: true, content: { 'application/json': { schema: assessmentPreviewInput } } } },
  responses: {
    200: { description: 'The breakdown', content: { 'application/json': { schema: assessmentBreakdownOutput } } },
    ...errorResponses(400, 401, 403),
  },
});

const waitingListRoute = createRoute({
  method: 'get',
  path: '/api/v1/comuni/{id}/waiting-list',
  tags: ['Regulation'],
  summary: "A comune's waiting list in art. 6 order",
  description: 'Descending total points; ties: more autonomy points first, then earlier application, then id. Keyset pages: pass `nextCursor` back as `cursor`.',
  security: staffSecurity,
  request: {
    params: z.object({ id: z.string().min(1).max(100) }),
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      cursor: z.string().max(400).optional(),
    }),
  },
  responses: {
    200: {
      description: 'One page of the list',
      content: {
        'application/json': {
          schema: z.object({
            entries: z.array(
              z.object({ position: z.number().int(), applicationId: z.string().uuid(), applicationDate: z.string(), totalPoints: z.number().int(), autonomyPoints: z.number().int() }),
            ),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 404),
  },
});

const allocationRoute = createRoute({
  method: 'post',
  path: '/api/v1/allocations/preview',
  tags: ['Regulation'],
  summary: 'Share a yearly budget of hours among comuni (art. 15) without saving it',
  description: 'Proportional to the over-65 population, with a floor of 5 h/week × weeks per comune; whole hours by largest remainder, summing exactly to the budget.',
  security: staffSecurity,
  request: { body: { required: true, content: { 'application/json': { schema: allocationInput } } } },
  responses: {
    200: { description: 'The shares', content: { 'application/json': { schema: allocationOutput } } },
    ...errorResponses(400, 401, 403),
  },
});

// Shapes only: numbers are not forced to integers here, so that 1.5 hours reaches the rule and
// is refused with the article that forbids it (art. 11), not as a mere type error.
const DeliveryExceptionSchema = z.strictObject({
  kind: z.enum(['weekly_cap', 'urgent_social_intervention']),
  reason: z.string().max(2000),
  author: z.string().max(200),
  maxWeeklyHours: z.number().optional(),
});

const programmePreviewRoute = createRoute({
  method: 'post',
  path: '/api/v1/programmes/preview',
  tags: ['Regulation'],
  summary: 'Check an intervention programme (art. 7, 8, 10, 11) and compute its voucher hours, without saving it',
  description: 'Planned end at most start + 4 calendar months − 1 day; whole weekly hours, at most 10 without an exception; hours issued = weekly hours × ceil(days / 7).',
  security: staffSecurity,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            services: z.array(z.string().max(20)).max(30),
            weeklyHours: z.number(),
            operators: z.number(),
            visitsPerWeek: z.number(),
            start: z.string().max(10),
            plannedEnd: z.string().max(10),
            providerId: z.string().max(100),
            contractSigned: z.boolean(),
            weeklyCapException: DeliveryExceptionSchema.optional(),
            resources: z.string().max(2000).optional(),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'The programme as the rules read it',
      content: { 'application/json': { schema: z.object({ programme: z.object({ start: z.string(), plannedEnd: z.string(), maxEnd: z.string(), weeklyHours: z.number().int(), hoursIssued: z.number().int() }).passthrough() }) } },
    },
    ...errorResponses(400, 401, 403),
  },
});

const visitCheckRoute = createRoute({
  method: 'post',
  path: '/api/v1/visits/check',
  tags: ['Regulation'],
  summary: 'Check planned visits against art. 8 (hours, days, weekly cap, holidays), without saving them',
  description: 'Visits start and end Monday–Saturday 08:00–20:00 Europe/Rome, in whole hours; Sunday only for people living alone without family support; at most 10 h per ISO week unless an exception. Public holidays and the patron day are reported as warnings.',
  security: staffSecurity,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            visits: z.array(z.strictObject({ start: z.string().max(40).openapi({ example: '2026-11-23T09:00' }), hours: z.number() })).min(1).max(200),
            livesAloneWithoutFamily: z.boolean(),
            patronDay: z.string().max(5).nullable().optional(),
            weeklyCapException: DeliveryExceptionSchema.optional(),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'The visits in Rome time, hours per ISO week and calendar warnings',
      content: { 'application/json': { schema: z.object({ visits: z.array(z.object({}).passthrough()), weeks: z.array(z.object({ isoWeek: z.string(), hours: z.number().int() }).passthrough()), warnings: z.array(z.object({}).passthrough()) }) } },
    },
    ...errorResponses(400, 401, 403),
  },
});

/**
 * When the schema refuses a body, the rule function itself is asked again so that the answer
 * names the article and every field (it throws the RuleViolation the issue promises).
 */
function ruleHook(rule: string, check: (raw: unknown) => unknown) {
  // Throws rather than returns: app.onError turns a DomainError into the error body.
  // On failure the validator hands the raw (parsed JSON) value in `data`.
  return (result: { success: boolean; data?: unknown; error?: { issues: unknown[] } }): undefined => {
    if (result.success) return undefined;
    check(result.data); // throws the RuleViolation with every field
    const fallback = validationError((result.error?.issues ?? []) as Parameters<typeof validationError>[0]);
    throw new RuleViolation(rule, { key: 'errors:VALIDATION_FAILED' }, fallback.fields);
  };
}

export function regulationRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const waitingList = createWaitingListQueries(db);
  const app = createRouter();

  app.use('/api/v1/comuni', requireRole(deps, ['admin', 'social_worker', 'operator', 'provider']));
  app.use('/api/v1/comuni/:id/waiting-list', requireRole(deps, ['admin', 'social_worker']));
  app.use('/api/v1/assessments/preview', requireRole(deps, ['admin', 'social_worker']));
  app.use('/api/v1/allocations/preview', requireRole(deps, ['admin']));
  app.use('/api/v1/programmes/preview', requireRole(deps, ['admin', 'social_worker']));
  app.use('/api/v1/visits/check', requireRole(deps, ['admin', 'social_worker', 'operator', 'provider']));

  return app
    .openapi(listComuniRoute, async (c) => c.json({ comuni: await listComuni(db) }, 200))
    .openapi(previewRoute, (c) => c.json(previewAssessment(c.req.valid('json')), 200), ruleHook('art. 6', previewAssessment) as never)
    .openapi(
      waitingListRoute,
      async (c) => {
        const { id } = c.req.valid('param');
        const { limit, cursor } = c.req.valid('query');
        const staff = await assertComuneInScope(deps, c, id);
        const after = cursor === undefined ? undefined : decodeCursor(cursor);
        if (cursor !== undefined && !after) {
          throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { cursor: { key: 'errors:field.invalid' } } });
        }
        // The page and its audit row in one statement; an empty page is the only case where the
        // comune itself may not exist (then the attempted read stays audited, and the answer is 404).
        const page = await waitingList.page(id, limit, after, { staffId: staff.id, requestId: c.get('requestId') });
        if (page.count === 0 && !(await comuneExists(db, id))) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
        // The entries arrive as JSON text written by Postgres (db/waiting-list.ts): sent as they are,
        // not parsed and serialised again; the body has exactly the shape of the schema above.
        const nextCursor = page.nextCursor ? JSON.stringify(encodeCursor(page.nextCursor)) : 'null';
        return c.body(`{"entries":${page.entriesJson},"nextCursor":${nextCursor}}`, 200, { 'content-type': 'application/json' }) as never;
      },
    )
    .openapi(allocationRoute, (c) => c.json(allocateHours(c.req.valid('json')), 200), ruleHook('art. 15', allocateHours) as never)
    .openapi(programmePreviewRoute, (c) => c.json({ programme: planProgramme(c.req.valid('json')) }, 200))
    .openapi(visitCheckRoute, (c) => {
      const { visits, livesAloneWithoutFamily, patronDay, weeklyCapException } = c.req.valid('json');
      return c.json(checkVisitPlan(visits, { livesAloneWithoutFamily, patronDay: patronDay ?? null, ...(weeklyCapException ? { weeklyCapException } : {}) }), 200);
    });
}
