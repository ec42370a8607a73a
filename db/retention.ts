/**
 * The loop shared by the retention sweeps (db/inbound-retention.ts, db/outbound-retention.ts):
 * one DELETE of at most `batch` rows at a time, so that a long backlog never holds a table (or
 * PGlite's single connection) for long, and is caught up over several sweeps.
 */
import type { Db } from './client.ts';
import { preparedRunner } from './prepared.ts';

export interface RetentionOptions {
  /** Rows looked at per statement (default 1,000). */
  batch?: number;
  /** Statements per call at most (default 10). */
  maxBatches?: number;
}

/**
 * Runs `deleteSql` (parameters: the cutoff as ISO text, the batch size; returns one row per
 * deleted row) until a statement deletes less than a batch; returns how many rows went.
 */
export async function deleteInBatches(db: Db, deleteSql: string, cutoff: Date, options: RetentionOptions = {}): Promise<number> {
  const batch = options.batch ?? 1000;
  const maxBatches = options.maxBatches ?? 10;
  const run = preparedRunner(db);
  let deleted = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = (await run(deleteSql, [cutoff.toISOString(), batch])).length;
    deleted += n;
    if (n < batch) break;
  }
  return deleted;
}

/** `days` days before `now`. */
export function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 24 * 3600_000);
}
