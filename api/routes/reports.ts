/**
 * Dashboard figures, CSV exports and the budget allocation preview (issue #7).
 *
 *   GET /api/v1/dashboard?year=             admin, social_worker — figures for the charts, own comuni only
 *   GET /api/v1/exports/{list}?comuneId=    one route per list (so each has its roles in /openapi.json):
 *       applications, waiting-list, people, programmes — admin, social_worker
 *       requests, segnalazioni                          — admin, social_worker, operator
 *   GET /api/v1/admin/budgets/{year}/preview?totalHours=&weeks=   admin — art. 15 shares, nothing saved
 *
 * Exports are Excel-friendly CSV (core/export/csv.ts) and every one is audited with its row count.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { DateTime } from 'luxon';
import { RuleViolation } from '../../core/errors.ts';
import { toCsv, type CsvValue } from '../../core/export/csv.ts';
import { allocateHours, FLOOR_HOURS_PER_WEEK } from '../../core/regulation/allocation.ts';
import { ROME_ZONE, romeDate } from '../../core/regulation/calendar.ts';
import { listComuniNames } from '../../db/admin.ts';
import { recordAudit } from '../../db/audit.ts';
import { comuneExists } from '../../db/comuni.ts';
import {
  dashboardData,
  exportApplications,
  exportPeople,
  exportProgrammes,
  exportRequests,
  exportSegnalazioni,
  exportWaitingList,
  type ReportScope,
} from '../../db/reports.ts';
import type { StaffRole } from '../../db/schema.ts';
import type { StaffIdentity } from '../../db/staff.ts';
import { asLocale, type Locale } from '../../locales/index.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { assertComuneInScope, requireRole } from '../guard.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';
import { createRouter } from '../router.ts';
import { currentStaff, notFound } from '../scope.ts';

const TAG = 'Reports';

export const EXPORT_LISTS = ['applications', 'waiting-list', 'people', 'requests', 'segnalazioni', 'programmes'] as const;
export type ExportList = (typeof EXPORT_LISTS)[number];

/** Operators handle requests and segnalazioni, never applications, people lists or programmes. */
export const EXPORT_ROLES: Record<ExportList, readonly StaffRole[]> = {
  applications: ['admin', 'social_worker'],
  'waiting-list': ['admin', 'social_worker'],
  people: ['admin', 'social_worker'],
  programmes: ['admin', 'social_worker'],
  requests: ['admin', 'social_worker', 'operator'],
  segnalazioni: ['admin', 'social_worker', 'operator'],
};

const ShareFigures = z.object({ comuneId: z.string(), name: z.string() });
const DashboardSchema = z
  .object({
    year: z.number().int(),
    comuni: z.array(ShareFigures),
    applications: z.array(
      ShareFigures.extend({
        received: z.number().int(),
        answered: z.number().int(),
        open: z.number().int(),
        overdue: z.number().int(),
        waitingList: z.number().int(),
        averageDaysToAnswer: z.number().nullable(),
        medianDaysToAnswer: z.number().nullable(),
      }),
    ),
    hours: z.array(ShareFigures.extend({ allocatedHours: z.number().int().nullable(), issuedHours: z.number().int(), usedHours: z.number().int() })),
    requestsByService: z.array(z.object({ service: z.string().nullable(), count: z.number().int() })),
    firstResponse: z.object({
      targetMinutes: z.number().int(),
      handedOver: z.number().int(),
      answered: z.number().int(),
      withinTarget: z.number().int(),
      medianMinutes: z.number().nullable(),
      buckets: z.array(z.object({ key: z.string(), count: z.number().int() })),
    }),
  })
  .openapi('Dashboard');

const PreviewSchema = z
  .object({
    year: z.number().int(),
    totalHours: z.number().int(),
    weeks: z.number().int(),
    floorHours: z.number().int(),
    shares: z.array(z.object({ comuneId: z.string(), name: z.string(), over65: z.number().int(), over65Illustrative: z.boolean(), hours: z.number().int(), atFloor: z.boolean() })),
  })
  .openapi('BudgetPreview');

const yearSchema = z.coerce.number().int().min(2000).max(2100);

/** Scope of the caller for reports: admins every comune, everyone else their own. */
export function reportScope(staff: StaffIdentity, includeNoComune = false): ReportScope {
  if (staff.role === 'admin') return { comuni: null, includeNoComune: true };
  return { comuni: staff.comuni, includeNoComune };
}

export function reportRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const app = createRouter();

  const dashboardRoute = createRoute({
    method: 'get',
    path: '/api/v1/dashboard',
    tags: [TAG],
    summary: 'Figures of the staff dashboard for a year, limited to your comuni',
    description:
      'Applications received in the year per comune (answered, open, overdue past the art. 4 thirty days, on the waiting list now, days to the written answer); voucher hours issued and redeemed in the year against the art. 15 allocation (the redistribution when saved); help requests by service; minutes from each handover to the first staff reply against the 15-minute target.',
    security: staffSecurity,
    middleware: [requireRole(deps, ['admin', 'social_worker'])],
    request: { query: z.object({ year: yearSchema.optional().openapi({ example: 2026 }) }) },
    responses: { 200: { description: 'Dashboard figures', content: { 'application/json': { schema: DashboardSchema } } }, ...errorResponses(400, 401, 403) },
  });

  const previewRoute = createRoute({
    method: 'get',
    path: '/api/v1/admin/budgets/{year}/preview',
    tags: ['Administration'],
    summary: "Preview a year's art. 15 allocation over the current over-65 figures (nothing is saved)",
    security: staffSecurity,
    middleware: [requireRole(deps, ['admin'])],
    request: {
      params: z.object({ year: yearSchema }),
      query: z.object({ totalHours: z.coerce.number().openapi({ example: 100000 }), weeks: z.coerce.number().openapi({ example: 52 }) }),
    },
    responses: { 200: { description: 'The shares the budget would give', content: { 'application/json': { schema: PreviewSchema } } }, ...errorResponses(400, 401, 403) },
  });

  app
    .openapi(dashboardRoute, async (c) => {
      const staff = currentStaff(c);
      const now = deps.now();
      const year = c.req.valid('query').year ?? Number(romeDate(now).slice(0, 4));
      return c.json(await dashboardData(db, reportScope(staff), year, romeDate(now)), 200);
    })
    .openapi(previewRoute, async (c) => {
      const { year } = c.req.valid('param');
      const { totalHours, weeks } = c.req.valid('query');
      const comuni = await listComuniNames(db);
      let shares: { comuneId: string; hours: number }[];
      try {
        shares = allocateHours({ budgetHours: totalHours, weeks, comuni: comuni.map((x) => ({ comuneId: x.id, over65: x.over65 })) }).shares;
      } catch (err) {
        // The rule calls the budget `budgetHours`; the budget routes call it `totalHours`.
        if (err instanceof RuleViolation) {
          throw new RuleViolation(err.rule ?? 'art. 15', err.messageRef, Object.fromEntries(Object.entries(err.fields ?? {}).map(([k, v]) => [k === 'budgetHours' ? 'totalHours' : k, v])));
        }
        throw err;
      }
      const byId = new Map(comuni.map((x) => [x.id, x]));
      const floorHours = FLOOR_HOURS_PER_WEEK * weeks;
      return c.json(
        {
          year,
          totalHours,
          weeks,
          floorHours,
          shares: shares.map((s) => {
            const comune = byId.get(s.comuneId)!;
            return { comuneId: s.comuneId, name: comune.name, over65: comune.over65, over65Illustrative: comune.over65Illustrative, hours: s.hours, atFloor: s.hours === floorHours };
          }),
        },
        200,
      );
    });

  for (const list of EXPORT_LISTS) {
    const route = createRoute({
      method: 'get',
      path: `/api/v1/exports/${list}`,
      tags: [TAG],
      summary: `CSV export: ${list} (Excel: ";" separator, UTF-8 with BOM)`,
      description:
        'Limited to your comuni (comuneId narrows to one; outside your comuni: 404). Cells starting with = + - @ tab or CR get a leading apostrophe (no formulas run when opened). Every export is audited with its row count. `lang=en` gives English headings.',
      security: staffSecurity,
      middleware: [requireRole(deps, EXPORT_ROLES[list])],
      request: { query: z.object({ comuneId: z.string().min(1).max(100).optional(), lang: z.enum(['it', 'en']).optional() }) },
      responses: { 200: { description: 'CSV file', content: { 'text/csv': { schema: z.string() } } }, ...errorResponses(400, 401, 403, 404) },
    });
    app.openapi(route, async (c) => {
      const { comuneId, lang } = c.req.valid('query');
      const staff = currentStaff(c);
      if (comuneId !== undefined) {
        await assertComuneInScope(deps, c, comuneId);
        if (!(await comuneExists(db, comuneId))) throw notFound();
      }
      const scope = { ...reportScope(staff, staff.role === 'operator'), ...(comuneId ? { comuneId } : {}) };
      const { header, rows } = await buildExport(deps, list, scope, asLocale(lang));
      await recordAudit(db, {
        actorType: 'staff', actorId: staff.id, action: 'export.download', subjectType: 'export', subjectId: list, comuneId: comuneId ?? null, reason: `list=${list}; rows=${rows.length}`, requestId: c.get('requestId'),
      });
      return csvResponse(c, toCsv(header, rows), `centrale-${list}-${comuneId ?? 'tutti'}-${romeDate(deps.now())}.csv`);
    });
  }
  return app;
}

function csvResponse(c: Context<AppEnv>, body: string, filename: string) {
  // The filename is built from fixed words, a checked comune id and a date: nothing to escape.
  return c.body(body, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  }) as never;
}

/** Headings and rows of one export, in the requested language. */
async function buildExport(deps: AppDeps, list: ExportList, scope: ReportScope, locale: Locale): Promise<{ header: string[]; rows: CsvValue[][] }> {
  const { db } = deps.database;
  const t = (key: string) => deps.i18n.t(key, { lng: locale });
  const h = (keys: string[]) => keys.map((k) => t(`consoleAdmin:export.column.${k}`));
  const yesNo = (v: boolean | null) => (v === null ? '' : t(v ? 'consoleAdmin:export.yes' : 'consoleAdmin:export.no'));
  const at = (d: Date | null) => (d ? DateTime.fromJSDate(d, { zone: ROME_ZONE }).toFormat('yyyy-MM-dd HH:mm') : '');
  // A handful of codes over thousands of rows: each label is translated once per export.
  const labels = new Map<string, string>();
  const status = (ns: string, code: string) => {
    const key = `${ns}.${code}`;
    let label = labels.get(key);
    if (label === undefined) labels.set(key, (label = deps.i18n.t(key, { lng: locale, defaultValue: code })));
    return label;
  };

  switch (list) {
    case 'applications': {
      const rows = await exportApplications(db, scope);
      return {
        header: h(['id', 'comune', 'familyName', 'givenName', 'origin', 'status', 'applicationDate', 'dueDate', 'answerSentOn', 'totalPoints', 'autonomyPoints']),
        rows: rows.map((r) => [r.id, r.comune, r.familyName, r.givenName, status('consoleAdmin:export.origin', r.origin), status('applications:status', r.status), r.applicationDate, r.dueDate, r.answerSentOn, r.totalPoints, r.autonomyPoints]),
      };
    }
    case 'waiting-list': {
      const rows = await exportWaitingList(db, scope);
      return {
        header: h(['comune', 'position', 'familyName', 'givenName', 'totalPoints', 'autonomyPoints', 'applicationDate', 'id']),
        rows: rows.map((r) => [r.comune, r.position, r.familyName, r.givenName, r.totalPoints, r.autonomyPoints, r.applicationDate, r.id]),
      };
    }
    case 'people': {
      const rows = await exportPeople(db, scope);
      return {
        header: h(['id', 'comune', 'familyName', 'givenName', 'birthDate', 'phone', 'livesAlone']),
        rows: rows.map((r) => [r.id, r.comune, r.familyName, r.givenName, r.birthDate, r.phone, yesNo(r.livesAlone)]),
      };
    }
    case 'requests': {
      const rows = await exportRequests(db, scope);
      return {
        header: h(['reference', 'comune', 'kind', 'service', 'status', 'requestedStart', 'resource', 'createdAt']),
        rows: rows.map((r) => [r.reference, r.comune, status('consoleAdmin:export.kind', r.kind), r.service, status('consoleAdmin:export.requestStatus', r.status), at(r.requestedStart), r.resource, at(r.createdAt)]),
      };
    }
    case 'segnalazioni': {
      const rows = await exportSegnalazioni(db, scope);
      return {
        header: h(['reference', 'comune', 'urgency', 'immediateRisk', 'status', 'subjectName', 'reporterRole', 'createdAt', 'takenAt']),
        rows: rows.map((r) => [r.reference, r.comune, status('consoleAdmin:export.urgency', r.urgency), yesNo(r.immediateRisk), status('consoleAdmin:export.segnalazioneStatus', r.status), r.subjectName, r.reporterRole, at(r.createdAt), at(r.takenAt)]),
      };
    }
    case 'programmes': {
      const rows = await exportProgrammes(db, scope);
      return {
        header: h(['id', 'comune', 'familyName', 'givenName', 'resource', 'services', 'weeklyHours', 'visitsPerWeek', 'periodStart', 'periodEnd', 'status']),
        rows: rows.map((r) => [r.id, r.comune, r.familyName, r.givenName, r.resource, r.services.join(', '), r.weeklyHours, r.visitsPerWeek, r.periodStart, r.periodEnd, status('consoleAdmin:export.programmeStatus', r.status)]),
      };
    }
  }
}
