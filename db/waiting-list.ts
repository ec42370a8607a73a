/**
 * The art. 6 waiting list of a comune, served by keyset pagination over
 * applications_waiting_list_idx: every page costs one index range scan, however deep.
 * Order: total points desc, autonomy points desc, application date asc, id asc
 * (core/regulation/waiting-list.ts), written with ascending keys to match the index.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { applications, auditLog } from './schema.ts';

export interface WaitingListRow {
  applicationId: string;
  applicationDate: string;
  totalPoints: number;
  autonomyPoints: number;
}

/** Where the previous page ended: the last row's keys and its position. */
export interface WaitingListCursor {
  totalPoints: number;
  autonomyPoints: number;
  applicationDate: string;
  applicationId: string;
  position: number;
}

const columns = {
  applicationId: applications.id,
  applicationDate: applications.applicationDate,
  totalPoints: sql<number>`${applications.totalPoints}`.mapWith(Number),
  autonomyPoints: sql<number>`${applications.autonomyPoints}`.mapWith(Number),
};

const order = [
  asc(sql`(100 - ${applications.totalPoints})`),
  asc(sql`(40 - ${applications.autonomyPoints})`),
  asc(applications.applicationDate),
  asc(applications.id),
];

/** Who reads the list: the read is audited in the same statement as the page (one round trip). */
export interface WaitingListReader {
  staffId: string;
  requestId: string | undefined;
}

/** Prepared once per database handle: the waiting list is a hot read. */
export function createWaitingListQueries(db: Db) {
  // A data-modifying CTE runs exactly once whether or not the page reads it: the audit row and
  // the page travel together instead of costing a second round trip.
  const audit = () =>
    db.$with('audit').as(
      db
        .insert(auditLog)
        .values({
          actorType: 'staff',
          actorId: sql.placeholder('staffId'),
          action: 'waiting_list.read',
          subjectType: 'comune',
          subjectId: sql.placeholder('comuneId'),
          comuneId: sql.placeholder('comuneId'),
          requestId: sql.placeholder('requestId'),
        })
        .returning({ id: auditLog.id }),
    );
  const firstAudit = audit();
  const nextAudit = audit();
  const first = db
    .with(firstAudit)
    .select(columns)
    .from(applications)
    .where(and(eq(applications.comuneId, sql.placeholder('comuneId')), eq(applications.status, 'waiting_list')))
    .orderBy(...order)
    .limit(sql.placeholder('limit'))
    .prepare('waiting_list_first');
  const next = db
    .with(nextAudit)
    .select(columns)
    .from(applications)
    .where(
      and(
        eq(applications.comuneId, sql.placeholder('comuneId')),
        eq(applications.status, 'waiting_list'),
        sql`((100 - ${applications.totalPoints}), (40 - ${applications.autonomyPoints}), ${applications.applicationDate}, ${applications.id})
            > ((100 - ${sql.placeholder('totalPoints')}::int), (40 - ${sql.placeholder('autonomyPoints')}::int), ${sql.placeholder('applicationDate')}::date, ${sql.placeholder('applicationId')}::uuid)`,
      ),
    )
    .orderBy(...order)
    .limit(sql.placeholder('limit'))
    .prepare('waiting_list_next');

  return {
    /** One page of the list; `limit + 1` rows are read to know whether another page follows. */
    async page(comuneId: string, limit: number, after: WaitingListCursor | undefined, reader: WaitingListReader) {
      const who = { staffId: reader.staffId, requestId: reader.requestId ?? null };
      const rows: WaitingListRow[] = after
        ? await next.execute({ comuneId, limit: limit + 1, totalPoints: after.totalPoints, autonomyPoints: after.autonomyPoints, applicationDate: after.applicationDate, applicationId: after.applicationId, ...who })
        : await first.execute({ comuneId, limit: limit + 1, ...who });
      const offset = after?.position ?? 0;
      const entries = rows.slice(0, limit).map((r, i) => ({ position: offset + i + 1, ...r }));
      const last = entries.at(-1);
      const nextCursor: WaitingListCursor | null =
        rows.length > limit && last
          ? { totalPoints: last.totalPoints, autonomyPoints: last.autonomyPoints, applicationDate: last.applicationDate, applicationId: last.applicationId, position: last.position }
          : null;
      return { entries, nextCursor };
    },
  };
}

export function encodeCursor(cursor: WaitingListCursor): string {
  return Buffer.from(JSON.stringify([cursor.totalPoints, cursor.autonomyPoints, cursor.applicationDate, cursor.applicationId, cursor.position])).toString('base64url');
}

/** Undefined when the cursor is not one we issued (then the caller answers 400). */
export function decodeCursor(text: string): WaitingListCursor | undefined {
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v) || v.length !== 5) return undefined;
    const [totalPoints, autonomyPoints, applicationDate, applicationId, position] = v as unknown[];
    const within = (x: unknown, max: number) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= max;
    const ok =
      within(totalPoints, 100) && within(autonomyPoints, 40) && within(position, 1_000_000_000) &&
      typeof applicationDate === 'string' && isCalendarDate(applicationDate) &&
      typeof applicationId === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(applicationId);
    return ok ? { totalPoints: totalPoints as number, autonomyPoints: autonomyPoints as number, applicationDate: applicationDate as string, applicationId: applicationId as string, position: position as number } : undefined;
  } catch {
    return undefined;
  }
}

/** A real calendar date "YYYY-MM-DD" (so Postgres never sees "2026-02-30"). */
function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}
