/**
 * Retention of raw provider updates (channel_inbound). A Telegram update or an SMS webhook carries
 * the sender's name, number and text; once handled, all of it lives on in the conversation, and
 * the raw copy only serves to drop a provider's redelivery (Telegram keeps an update for 24 hours,
 * Twilio retries within minutes). So handled rows are deleted `days` after their handling.
 * Unhandled and failing rows are never touched: they still wait for their turn or for staff.
 * A redelivery after the deletion is stored again and then recognised by its message's external
 * id (db/conversations.ts), so it still makes no second turn.
 */
import type { Db } from './client.ts';
import { daysBefore, deleteInBatches, type RetentionOptions } from './retention.ts';

/**
 * The oldest handled rows, by id (the primary key's order, so each pass reads about `batch` rows,
 * never the whole table), of which those handled before the cutoff are deleted.
 */
const DELETE_HANDLED_SQL = `
with oldest as (
  select id from channel_inbound where processed_at is not null order by id limit $2::int)
delete from channel_inbound c
 using oldest
 where c.id = oldest.id and c.processed_at < $1::text::timestamptz
returning c.id`;

/** Deletes raw updates handled more than `days` days before `now`; returns how many. */
export function deleteHandledInbound(db: Db, now: Date, days: number, options: RetentionOptions = {}): Promise<number> {
  return deleteInBatches(db, DELETE_HANDLED_SQL, daysBefore(now, days), options);
}
