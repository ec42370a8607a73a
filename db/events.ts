/**
 * Case events: what a citizen should hear about (application received, visit tomorrow, hours
 * running low…), recorded in the same transaction as the change that causes them and consumed
 * later by the channels. Payloads hold ids, dates and numbers only — never health details.
 */
import type { Queryable } from './client.ts';
import { caseEvents, type CaseEventType } from './schema.ts';

export interface CaseEventInput {
  type: CaseEventType;
  personId: string;
  comuneId?: string | null;
  subjectType?: string;
  subjectId?: string;
  payload?: Record<string, string | number | boolean | null>;
  /** Makes the event happen at most once (e.g. `visit_tomorrow:<visitId>`). */
  dedupeKey?: string;
  occurredAt?: Date;
}

/** Records an event; with a dedupe key already used, nothing is written. Returns whether it was new. */
export async function recordCaseEvent(q: Queryable, event: CaseEventInput): Promise<boolean> {
  const rows = await q
    .insert(caseEvents)
    .values({
      type: event.type,
      personId: event.personId,
      comuneId: event.comuneId ?? null,
      subjectType: event.subjectType ?? null,
      subjectId: event.subjectId ?? null,
      payload: event.payload ?? {},
      dedupeKey: event.dedupeKey ?? null,
      ...(event.occurredAt ? { occurredAt: event.occurredAt } : {}),
    })
    .onConflictDoNothing()
    .returning({ id: caseEvents.id });
  return rows.length > 0;
}
