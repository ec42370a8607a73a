import { FieldErrorCollector, checkIsoDate, checkWholeNumber } from './validation.ts';
import { CRITERION_MAXIMA } from './assessment.ts';

/** One application on a comune's waiting list, with the points of its current assessment. */
export interface WaitingListEntry {
  /** Numbers compare numerically, strings by code unit (a uuid's text order = its byte order). */
  applicationId: string | number;
  comuneId: string;
  totalPoints: number;
  autonomyPoints: number;
  /** 'YYYY-MM-DD'. */
  applicationDate: string;
}

export interface RankedEntry<E extends WaitingListEntry = WaitingListEntry> {
  entry: E;
  /** 1-based position within the entry's comune. */
  position: number;
  /** How many people are ahead in the same comune. */
  ahead: number;
}

/** The SQL the database layer must use to list a comune's waiting list in the same order. */
export const WAITING_LIST_ORDER_BY = 'total_points DESC, autonomy_points DESC, application_date ASC, id ASC';

function compareIds(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const left = String(a);
  const right = String(b);
  // Code-unit order, not localeCompare: it must not depend on the machine's locale.
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * Art. 6 order between two applications, SQL-independent so the database can mirror it
 * (`ORDER BY total_points DESC, autonomy_points DESC, application_date ASC, id ASC`):
 * more points first; on equal points, less autonomy (more autonomy points) first; then the
 * earlier application; then the application id. Two distinct applications never compare equal.
 */
export function compareWaitingListEntries(a: WaitingListEntry, b: WaitingListEntry): number {
  return (
    b.totalPoints - a.totalPoints ||
    b.autonomyPoints - a.autonomyPoints ||
    (a.applicationDate < b.applicationDate ? -1 : a.applicationDate > b.applicationDate ? 1 : 0) ||
    compareIds(a.applicationId, b.applicationId)
  );
}

function validateEntries(entries: readonly WaitingListEntry[]): void {
  const errors = new FieldErrorCollector();
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const path = `entries.${index}`;
    checkWholeNumber(errors, entry.totalPoints, `${path}.totalPoints`, { min: 0, max: 100 });
    checkWholeNumber(errors, entry.autonomyPoints, `${path}.autonomyPoints`, { min: 0, max: CRITERION_MAXIMA.autonomy });
    checkIsoDate(errors, entry.applicationDate, `${path}.applicationDate`);
    const id = `${typeof entry.applicationId}:${String(entry.applicationId)}`;
    if (seen.has(id)) errors.add(`${path}.applicationId`, 'rules:duplicateId');
    seen.add(id);
  });
  errors.throwIfAny('art. 6', 'rules:waitingListInvalid');
}

/**
 * Art. 6: each comune's waiting list in order (see compareWaitingListEntries), with each
 * person's position and how many are ahead. Entries of several comuni are ranked separately,
 * grouped by comune id; the result does not depend on the input's order.
 */
export function rankWaitingList<E extends WaitingListEntry>(entries: readonly E[]): RankedEntry<E>[] {
  validateEntries(entries);
  const sorted = [...entries].sort(
    (a, b) => (a.comuneId < b.comuneId ? -1 : a.comuneId > b.comuneId ? 1 : 0) || compareWaitingListEntries(a, b),
  );
  const ranked: RankedEntry<E>[] = [];
  let previousComune: string | undefined;
  let position = 0;
  for (const entry of sorted) {
    position = entry.comuneId === previousComune ? position + 1 : 1;
    previousComune = entry.comuneId;
    ranked.push({ entry, position, ahead: position - 1 });
  }
  return ranked;
}

/** Art. 4 access record: a person's place on their comune's list, or undefined if not on it. */
export function findWaitingListPosition(
  entries: readonly WaitingListEntry[],
  applicationId: string | number,
): { position: number; ahead: number; listLength: number } | undefined {
  const ranked = rankWaitingList(entries);
  const mine = ranked.find((item) => item.entry.applicationId === applicationId);
  if (mine === undefined) return undefined;
  const listLength = ranked.filter((item) => item.entry.comuneId === mine.entry.comuneId).length;
  return { position: mine.position, ahead: mine.ahead, listLength };
}
