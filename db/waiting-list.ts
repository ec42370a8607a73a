/**
 * The art. 6 waiting list of a comune, served by keyset pagination over
 * applications_waiting_list_idx: every page costs one index range scan, however deep.
 * Order: total points desc, autonomy points desc, application date asc, id asc
 * (core/regulation/waiting-list.ts), written with ascending keys to match the index.
 */
import type { Db } from './client.ts';
import { preparedRunner } from './prepared.ts';

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

/** One page, its entries already as the JSON array the API sends (built by Postgres). */
export interface WaitingListPage {
  /** `[{"position":…,"applicationId":…,"applicationDate":…,"totalPoints":…,"autonomyPoints":…},…]` */
  entriesJson: string;
  /** Entries on this page. */
  count: number;
  nextCursor: WaitingListCursor | null;
}

// A data-modifying CTE runs exactly once whether or not the page reads it: the audit row and the
// page travel together instead of costing a second round trip. Parameters: $1 comune, $2 page
// size, $3 staff id, $4 request id, $5 position of the row before the page, then the cursor's keys.
const AUDIT = `with audit as (
    insert into audit_log (actor_type, actor_id, action, subject_type, subject_id, comune_id, request_id)
    values ('staff', $3, 'waiting_list.read', 'comune', $1, $1, $4) returning id)`;
// Ascending keys, the expressions applications_waiting_list_idx is built on, so each page is one
// index range scan, however deep; the window uses the same order, so it adds no sort. One row
// more than the page is read to know whether another page follows.
const ORDER = `order by (100 - total_points), (40 - autonomy_points), application_date, id`;
const page = (keyset: string) => `, page as (
    select id, application_date, total_points, autonomy_points, row_number() over (${ORDER}) as n
    from applications
    where comune_id = $1 and status = 'waiting_list'${keyset}
    ${ORDER} limit $2::int + 1)`;
// Postgres writes the entries' JSON itself: the API sends that text as it is, so no row is parsed
// into objects and serialised again in Node (the cost that dominated a 100-row page). Keys in the
// order the API has always sent them; a date is written "YYYY-MM-DD" in JSON whatever DateStyle.
const SELECT = `select
    coalesce('[' || string_agg(row_to_json(e)::text, ',' order by p.n) filter (where p.n <= $2::int) || ']', '[]') as "entriesJson",
    count(*)::int as "rows",
    min(p.total_points) filter (where p.n = $2::int) as "lastTotal",
    min(p.autonomy_points) filter (where p.n = $2::int) as "lastAutonomy",
    min(to_char(p.application_date, 'YYYY-MM-DD')) filter (where p.n = $2::int) as "lastDate",
    min(p.id::text) filter (where p.n = $2::int) as "lastId"
  from page p
  cross join lateral (
    select $5::int + p.n as "position", p.id as "applicationId", p.application_date as "applicationDate",
           p.total_points as "totalPoints", p.autonomy_points as "autonomyPoints") e`;
const FIRST = `${AUDIT}${page('')} ${SELECT}`;
const NEXT = `${AUDIT}${page(`
      and ((100 - total_points), (40 - autonomy_points), application_date, id) > ((100 - $6::int), (40 - $7::int), $8::date, $9::uuid)`)} ${SELECT}`;

interface PageRow {
  entriesJson: string;
  rows: number;
  lastTotal: number | null;
  lastAutonomy: number | null;
  lastDate: string | null;
  lastId: string | null;
}

/** Prepared once per database handle: the waiting list is a hot read (see db/prepared.ts). */
export function createWaitingListQueries(db: Db) {
  const run = preparedRunner(db);

  return {
    /** One page of the list, read and audited in one statement. */
    async page(comuneId: string, limit: number, after: WaitingListCursor | undefined, reader: WaitingListReader): Promise<WaitingListPage> {
      const offset = after?.position ?? 0;
      const common = [comuneId, limit, reader.staffId, reader.requestId ?? null, offset];
      const [row] = after
        ? await run<PageRow>(NEXT, [...common, after.totalPoints, after.autonomyPoints, after.applicationDate, after.applicationId])
        : await run<PageRow>(FIRST, common);
      // An aggregate always answers one row; the guard is for the type only.
      if (!row) return { entriesJson: '[]', count: 0, nextCursor: null };
      const count = Math.min(row.rows, limit);
      const nextCursor: WaitingListCursor | null =
        row.rows > limit && row.lastTotal !== null && row.lastAutonomy !== null && row.lastDate !== null && row.lastId !== null
          ? { totalPoints: row.lastTotal, autonomyPoints: row.lastAutonomy, applicationDate: row.lastDate, applicationId: row.lastId, position: offset + limit }
          : null;
      return { entriesJson: row.entriesJson, count, nextCursor };
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
