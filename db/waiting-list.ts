/**
 * The art. 6 waiting list of a comune, served by keyset pagination over
 * applications_waiting_list_idx: every page costs one index range scan, however deep.
 * Order: total points desc, autonomy points desc, application date asc, id asc
 * (core/regulation/waiting-list.ts), written with ascending keys to match the index.
 */
import type { Db } from './client.ts';
import { preparedRunner } from './prepared.ts';

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

/** Who reads the list: the read is audited in the same statement as the page (one round trip). */
export interface WaitingListReader {
  staffId: string;
  requestId: string | undefined;
}

// A data-modifying CTE runs exactly once whether or not the page reads it: the audit row and the
// page travel together instead of costing a second round trip. Parameters: $1 comune, $2 limit,
// $3 staff id, $4 request id, then the cursor's keys for the next page.
const AUDITED = `with audit as (
    insert into audit_log (actor_type, actor_id, action, subject_type, subject_id, comune_id, request_id)
    values ('staff', $3, 'waiting_list.read', 'comune', $1, $1, $4) returning id)
  select id as "applicationId", to_char(application_date, 'YYYY-MM-DD') as "applicationDate",
         total_points as "totalPoints", autonomy_points as "autonomyPoints"
  from applications
  where comune_id = $1 and status = 'waiting_list'`;
// Ascending keys, the expressions applications_waiting_list_idx is built on, so each page is one
// index range scan, however deep.
const ORDER = `order by (100 - total_points), (40 - autonomy_points), application_date, id limit $2`;
const FIRST = `${AUDITED} ${ORDER}`;
const NEXT = `${AUDITED}
    and ((100 - total_points), (40 - autonomy_points), application_date, id) > ((100 - $5::int), (40 - $6::int), $7::date, $8::uuid)
  ${ORDER}`;

/** Prepared once per database handle: the waiting list is a hot read (see db/prepared.ts). */
export function createWaitingListQueries(db: Db) {
  const run = preparedRunner(db);
  const first = (p: { comuneId: string; limit: number; staffId: string; requestId: string | null }) => run<WaitingListRow>(FIRST, [p.comuneId, p.limit, p.staffId, p.requestId]);
  const next = (p: { comuneId: string; limit: number; staffId: string; requestId: string | null } & Omit<WaitingListCursor, 'position'>) =>
    run<WaitingListRow>(NEXT, [p.comuneId, p.limit, p.staffId, p.requestId, p.totalPoints, p.autonomyPoints, p.applicationDate, p.applicationId]);

  return {
    /** One page of the list; `limit + 1` rows are read to know whether another page follows. */
    async page(comuneId: string, limit: number, after: WaitingListCursor | undefined, reader: WaitingListReader) {
      const who = { staffId: reader.staffId, requestId: reader.requestId ?? null };
      const rows: WaitingListRow[] = after
        ? await next({ comuneId, limit: limit + 1, totalPoints: after.totalPoints, autonomyPoints: after.autonomyPoints, applicationDate: after.applicationDate, applicationId: after.applicationId, ...who })
        : await first({ comuneId, limit: limit + 1, ...who });
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
