/**
 * Retention of the outbound queue (outbound_messages). A queued message copies its text, and the
 * address it goes to, out of the conversation (replies), a case event (reminders) or an alert:
 * once it has left, the copy only serves the delivery status staff look at in the first days.
 * So rows that reached the end of their way (sent, cancelled, or re-sent on another channel) are
 * deleted `days` after their last change. Failed and undelivered ones stay: a staff task points
 * at them until someone reaches the person (erasure still wipes their text, db/privacy.ts).
 *
 * Nothing is sent twice because of a deletion: every sender has its own record of what it did
 * (case_events.consumed_at for reminders, urgent_alerts for alerts, messages for replies, and
 * enqueueMissingOutbound looks back MISSING_OUTBOUND_LOOKBACK_DAYS only, so rows are always kept
 * longer than that), and the queue's dedupe key is only a second lock.
 */
import type { Db } from './client.ts';
import { MISSING_OUTBOUND_LOOKBACK_DAYS } from './outbound.ts';
import { daysBefore, deleteInBatches, type RetentionOptions } from './retention.ts';

/**
 * The oldest finished rows, by id (the primary key's order: deletions keep the front of the table
 * clean, so each pass reads about `batch` rows), of which those last changed before the cutoff go.
 */
const DELETE_FINISHED_SQL = `
with oldest as (
  select id from outbound_messages where status in ('sent', 'cancelled', 'fallback') order by id limit $2::int)
delete from outbound_messages o
 using oldest
 where o.id = oldest.id and o.updated_at < $1::text::timestamptz
returning o.id`;

/** Deletes messages that finished more than `days` days before `now` (never fewer days than the look-back); returns how many. */
export function deleteFinishedOutbound(db: Db, now: Date, days: number, options: RetentionOptions = {}): Promise<number> {
  return deleteInBatches(db, DELETE_FINISHED_SQL, daysBefore(now, Math.max(days, MISSING_OUTBOUND_LOOKBACK_DAYS + 1)), options);
}
