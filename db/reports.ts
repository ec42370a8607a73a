/**
 * Queries behind the staff dashboard and the CSV exports (issue #7). Every function takes the
 * caller's scope: `comuni` null means every comune (admin); otherwise only those comuni.
 * Operators also see requests and segnalazioni that have no comune yet (as in their lists).
 */
import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { addCalendarDays, daysBetween, ROME_ZONE, romeDate } from '../core/regulation/calendar.ts';
import { ISTRUTTORIA_MAX_DAYS, computeIstruttoriaDueDate } from '../core/regulation/istruttoria.ts';
import { mean, median, summariseFirstResponses } from '../core/export/dashboard.ts';
import type { Queryable } from './client.ts';
import { FIRST_RESPONSE_TARGET_MINUTES } from './inbox.ts';
import {
  allocations,
  applicationDetails,
  applications,
  comuni,
  conversations,
  helpRequests,
  messages,
  people,
  programmes,
  resources,
  segnalazioni,
  voucherLedger,
} from './schema.ts';

export interface ReportScope {
  /** null: every comune. */
  comuni: readonly string[] | null;
  /** Also rows with no comune (operators and admins, for chat records). */
  includeNoComune?: boolean;
  /** Narrow to one comune (already checked to be in scope). */
  comuneId?: string;
}

/** The instant Rome's year begins (midnight of 1 January, Rome time). */
function romeYearStart(year: number): Date {
  return DateTime.fromObject({ year, month: 1, day: 1 }, { zone: ROME_ZONE }).toJSDate();
}

/** Hard cap of one export: a year of the whole ambito is far below it. */
export const EXPORT_MAX_ROWS = 50_000;

type Column = typeof applications.comuneId | typeof people.comuneId | typeof programmes.comuneId | typeof helpRequests.comuneId | typeof segnalazioni.comuneId | typeof conversations.comuneId;

function scoped(column: Column, scope: ReportScope): SQL | undefined {
  if (scope.comuneId) return eq(column, scope.comuneId);
  if (scope.comuni === null) return undefined;
  const parts: SQL[] = [];
  if (scope.comuni.length) parts.push(inArray(column, [...scope.comuni]));
  if (scope.includeNoComune) parts.push(isNull(column));
  return parts.length ? or(...parts) : sql`false`;
}

export async function comuniInScope(q: Queryable, scope: ReportScope) {
  const where = scope.comuneId ? eq(comuni.id, scope.comuneId) : scope.comuni === null ? undefined : scope.comuni.length ? inArray(comuni.id, [...scope.comuni]) : sql`false`;
  return q.select({ id: comuni.id, name: comuni.name }).from(comuni).where(where).orderBy(asc(comuni.name));
}

// ───────────── Dashboard ─────────────

export interface ApplicationFigures {
  comuneId: string;
  received: number;
  answered: number;
  /** Received in the year, not yet answered in writing and not closed. */
  open: number;
  /** Open past the art. 4 thirty days, today. */
  overdue: number;
  /** On the waiting list now. */
  waitingList: number;
  /** Days from the application to its written answer, over the answered ones. */
  answerDays: number[];
}

/** Applications of the year per comune, with the days each answered one waited. */
export async function applicationFigures(q: Queryable, scope: ReportScope, year: number, today: string): Promise<Map<string, ApplicationFigures>> {
  const rows = await q
    .select({ comuneId: applications.comuneId, status: applications.status, applicationDate: applications.applicationDate, answerSentAt: applicationDetails.answerSentAt })
    .from(applications)
    .leftJoin(applicationDetails, eq(applicationDetails.applicationId, applications.id))
    .where(and(scoped(applications.comuneId, scope), gte(applications.applicationDate, `${year}-01-01`), lte(applications.applicationDate, `${year}-12-31`)));
  const waiting = await q
    .select({ comuneId: applications.comuneId, n: sql<number>`count(*)::int` })
    .from(applications)
    .where(and(scoped(applications.comuneId, scope), eq(applications.status, 'waiting_list')))
    .groupBy(applications.comuneId);
  const out = new Map<string, ApplicationFigures>();
  const entry = (id: string) => {
    let e = out.get(id);
    if (!e) out.set(id, (e = { comuneId: id, received: 0, answered: 0, open: 0, overdue: 0, waitingList: 0, answerDays: [] }));
    return e;
  };
  const overdueBefore = addCalendarDays(today, -ISTRUTTORIA_MAX_DAYS);
  for (const r of rows) {
    const e = entry(r.comuneId);
    e.received += 1;
    if (r.answerSentAt) {
      e.answered += 1;
      e.answerDays.push(Math.max(0, daysBetween(r.applicationDate, romeDate(r.answerSentAt))));
    } else if (r.status !== 'closed') {
      e.open += 1;
      if (r.applicationDate < overdueBefore) e.overdue += 1;
    }
  }
  for (const w of waiting) entry(w.comuneId).waitingList = Number(w.n);
  return out;
}

export interface HoursFigures {
  comuneId: string;
  /** The year's allocation (the redistribution when saved, else the initial one); null without a budget. */
  allocatedHours: number | null;
  issuedHours: number;
  usedHours: number;
}

/** Voucher hours issued and redeemed in the year per comune, against the year's allocation. */
export async function hoursFigures(q: Queryable, scope: ReportScope, year: number): Promise<Map<string, HoursFigures>> {
  const ledger = await q
    .select({
      comuneId: programmes.comuneId,
      issued: sql<number>`coalesce(sum(case when ${voucherLedger.kind} = 'issue' then ${voucherLedger.hours} else 0 end), 0)::int`,
      used: sql<number>`coalesce(sum(case when ${voucherLedger.kind} = 'redeem' then ${voucherLedger.hours} else 0 end), 0)::int`,
    })
    .from(voucherLedger)
    .innerJoin(programmes, eq(programmes.id, voucherLedger.programmeId))
    .where(and(scoped(programmes.comuneId, scope), gte(voucherLedger.on, `${year}-01-01`), lte(voucherLedger.on, `${year}-12-31`)))
    .groupBy(programmes.comuneId);
  const shares = await q
    .select({ comuneId: allocations.comuneId, kind: allocations.kind, hours: allocations.hours })
    .from(allocations)
    .where(and(eq(allocations.year, year), scope.comuneId ? eq(allocations.comuneId, scope.comuneId) : scope.comuni === null ? undefined : scope.comuni.length ? inArray(allocations.comuneId, [...scope.comuni]) : sql`false`));
  const out = new Map<string, HoursFigures>();
  const entry = (id: string) => {
    let e = out.get(id);
    if (!e) out.set(id, (e = { comuneId: id, allocatedHours: null, issuedHours: 0, usedHours: 0 }));
    return e;
  };
  for (const s of shares.filter((x) => x.kind === 'initial')) entry(s.comuneId).allocatedHours = s.hours;
  for (const s of shares.filter((x) => x.kind === 'redistribution')) entry(s.comuneId).allocatedHours = s.hours;
  for (const l of ledger) Object.assign(entry(l.comuneId), { issuedHours: Number(l.issued), usedHours: Number(l.used) });
  return out;
}

/** Help requests created in the year, by art. 7 service code (null: no service given). */
export async function requestsByService(q: Queryable, scope: ReportScope, year: number): Promise<{ service: string | null; count: number }[]> {
  const rows = await q
    .select({ service: helpRequests.service, n: sql<number>`count(*)::int` })
    .from(helpRequests)
    .where(and(scoped(helpRequests.comuneId, scope), gte(helpRequests.createdAt, romeYearStart(year)), lt(helpRequests.createdAt, romeYearStart(year + 1))))
    .groupBy(helpRequests.service)
    .orderBy(desc(sql`count(*)`), asc(helpRequests.service));
  return rows.map((r) => ({ service: r.service, count: Number(r.n) }));
}

/** Minutes from each handover of the year to the first staff message after it (null: unanswered). */
export async function firstResponseMinutes(q: Queryable, scope: ReportScope, year: number): Promise<(number | null)[]> {
  // Columns written out qualified: inside a one-table select drizzle would leave them bare,
  // and a bare "id" would bind to the subquery's own messages.id.
  const first = sql<Date | null>`(select min(m.created_at) from ${messages} m where m.conversation_id = "conversations"."id" and m.author = 'staff' and m.created_at >= "conversations"."handed_over_at")`.mapWith(
    (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v))),
  );
  const rows = await q
    .select({ handedOverAt: conversations.handedOverAt, firstAt: first })
    .from(conversations)
    .where(
      and(
        scoped(conversations.comuneId, scope),
        isNotNull(conversations.handedOverAt),
        gte(conversations.handedOverAt, romeYearStart(year)),
        lt(conversations.handedOverAt, romeYearStart(year + 1)),
      ),
    );
  return rows.map((r) => (r.firstAt && r.handedOverAt ? Math.max(0, Math.round((r.firstAt.getTime() - r.handedOverAt.getTime()) / 60_000)) : null));
}

// ───────────── Exports ─────────────

export async function exportApplications(q: Queryable, scope: ReportScope) {
  const rows = await q
    .select({
      id: applications.id,
      comune: comuni.name,
      familyName: people.familyName,
      givenName: people.givenName,
      origin: applications.origin,
      status: applications.status,
      applicationDate: applications.applicationDate,
      totalPoints: applications.totalPoints,
      autonomyPoints: applications.autonomyPoints,
      answerSentAt: applicationDetails.answerSentAt,
    })
    .from(applications)
    .innerJoin(people, eq(people.id, applications.personId))
    .innerJoin(comuni, eq(comuni.id, applications.comuneId))
    .leftJoin(applicationDetails, eq(applicationDetails.applicationId, applications.id))
    .where(scoped(applications.comuneId, scope))
    .orderBy(asc(comuni.name), asc(applications.applicationDate), asc(applications.id))
    .limit(EXPORT_MAX_ROWS);
  return rows.map((r) => ({ ...r, dueDate: computeIstruttoriaDueDate(r.applicationDate), answerSentOn: r.answerSentAt ? romeDate(r.answerSentAt) : null }));
}

/** The art. 6 waiting lists, per comune, in ranking order (core/regulation/waiting-list.ts). */
export async function exportWaitingList(q: Queryable, scope: ReportScope) {
  const rows = await q
    .select({
      id: applications.id,
      comuneId: applications.comuneId,
      comune: comuni.name,
      familyName: people.familyName,
      givenName: people.givenName,
      totalPoints: applications.totalPoints,
      autonomyPoints: applications.autonomyPoints,
      applicationDate: applications.applicationDate,
    })
    .from(applications)
    .innerJoin(people, eq(people.id, applications.personId))
    .innerJoin(comuni, eq(comuni.id, applications.comuneId))
    .where(and(scoped(applications.comuneId, scope), eq(applications.status, 'waiting_list')))
    .orderBy(asc(comuni.name), asc(applications.comuneId), asc(sql`(100 - ${applications.totalPoints})`), asc(sql`(40 - ${applications.autonomyPoints})`), asc(applications.applicationDate), asc(applications.id))
    .limit(EXPORT_MAX_ROWS);
  let comune = '';
  let position = 0;
  return rows.map((r) => {
    position = r.comuneId === comune ? position + 1 : 1;
    comune = r.comuneId;
    return { ...r, position };
  });
}

export async function exportPeople(q: Queryable, scope: ReportScope) {
  return q
    .select({
      id: people.id,
      comune: comuni.name,
      familyName: people.familyName,
      givenName: people.givenName,
      birthDate: people.birthDate,
      phone: people.phone,
      livesAlone: people.livesAlone,
    })
    .from(people)
    .leftJoin(comuni, eq(comuni.id, people.comuneId))
    // Admins get everyone; others the people of their comuni (a delegate living outside the
    // ambito has no comune and is reached through the person they act for, not through lists).
    .where(and(scope.comuni === null && !scope.comuneId ? undefined : scoped(people.comuneId, { ...scope, includeNoComune: false }), isNull(people.erasedAt)))
    .orderBy(asc(people.familyName), asc(people.givenName), asc(people.id))
    .limit(EXPORT_MAX_ROWS);
}

export async function exportRequests(q: Queryable, scope: ReportScope) {
  return q
    .select({
      reference: helpRequests.reference,
      comune: comuni.name,
      kind: helpRequests.kind,
      service: helpRequests.service,
      status: helpRequests.status,
      requestedStart: helpRequests.requestedStart,
      resource: resources.name,
      createdAt: helpRequests.createdAt,
    })
    .from(helpRequests)
    .leftJoin(comuni, eq(comuni.id, helpRequests.comuneId))
    .leftJoin(resources, eq(resources.id, helpRequests.resourceId))
    .where(scoped(helpRequests.comuneId, scope))
    .orderBy(desc(helpRequests.createdAt), asc(helpRequests.reference))
    .limit(EXPORT_MAX_ROWS);
}

export async function exportSegnalazioni(q: Queryable, scope: ReportScope) {
  return q
    .select({
      reference: segnalazioni.reference,
      comune: comuni.name,
      urgency: segnalazioni.urgency,
      immediateRisk: segnalazioni.immediateRisk,
      status: segnalazioni.status,
      subjectName: segnalazioni.subjectName,
      reporterRole: segnalazioni.reporterRole,
      createdAt: segnalazioni.createdAt,
      takenAt: segnalazioni.takenAt,
    })
    .from(segnalazioni)
    .leftJoin(comuni, eq(comuni.id, segnalazioni.comuneId))
    .where(scoped(segnalazioni.comuneId, scope))
    .orderBy(desc(segnalazioni.createdAt), asc(segnalazioni.reference))
    .limit(EXPORT_MAX_ROWS);
}

export async function exportProgrammes(q: Queryable, scope: ReportScope) {
  return q
    .select({
      id: programmes.id,
      comune: comuni.name,
      familyName: people.familyName,
      givenName: people.givenName,
      resource: resources.name,
      services: programmes.services,
      weeklyHours: programmes.weeklyHours,
      visitsPerWeek: programmes.visitsPerWeek,
      periodStart: programmes.periodStart,
      periodEnd: programmes.periodEnd,
      status: programmes.status,
    })
    .from(programmes)
    .innerJoin(people, eq(people.id, programmes.personId))
    .innerJoin(comuni, eq(comuni.id, programmes.comuneId))
    .leftJoin(resources, eq(resources.id, programmes.resourceId))
    .where(scoped(programmes.comuneId, scope))
    .orderBy(asc(comuni.name), asc(people.familyName), asc(programmes.periodStart), asc(programmes.id))
    .limit(EXPORT_MAX_ROWS);
}

// ───────────── The dashboard, assembled ─────────────

export async function dashboardData(q: Queryable, scope: ReportScope, year: number, today: string) {
  const [list, apps, hours, requests, minutes] = await Promise.all([
    comuniInScope(q, scope),
    applicationFigures(q, scope, year, today),
    hoursFigures(q, scope, year),
    requestsByService(q, scope, year),
    firstResponseMinutes(q, scope, year),
  ]);
  const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return {
    year,
    comuni: list.map((c) => ({ comuneId: c.id, name: c.name })),
    applications: list.map((c) => {
      const a = apps.get(c.id);
      return {
        comuneId: c.id,
        name: c.name,
        received: a?.received ?? 0,
        answered: a?.answered ?? 0,
        open: a?.open ?? 0,
        overdue: a?.overdue ?? 0,
        waitingList: a?.waitingList ?? 0,
        averageDaysToAnswer: round1(mean(a?.answerDays ?? [])),
        medianDaysToAnswer: median(a?.answerDays ?? []),
      };
    }),
    hours: list.map((c) => {
      const h = hours.get(c.id);
      return { comuneId: c.id, name: c.name, allocatedHours: h?.allocatedHours ?? null, issuedHours: h?.issuedHours ?? 0, usedHours: h?.usedHours ?? 0 };
    }),
    requestsByService: requests,
    firstResponse: summariseFirstResponses(minutes, FIRST_RESPONSE_TARGET_MINUTES),
  };
}

export type DashboardData = Awaited<ReturnType<typeof dashboardData>>;
