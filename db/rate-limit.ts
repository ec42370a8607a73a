/**
 * Fixed-window attempt counters in Postgres, so every instance sees the same counts.
 * One upsert per attempt; old windows are swept opportunistically.
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Queryable } from './client.ts';

export interface RateLimitResult {
  allowed: boolean;
  count: number;
  /** Seconds until the window ends. */
  retryAfter: number;
}

export async function hitRateLimit(
  q: Queryable,
  key: string,
  limit: number,
  windowSeconds: number,
  now: Date,
): Promise<RateLimitResult> {
  const windowMs = windowSeconds * 1000;
  const windowStart = Math.floor(now.getTime() / windowMs) * windowMs;
  const result = await q.execute(sql`
    insert into rate_limits (key, window_start, count) values (${key}, ${windowStart}, 1)
    on conflict (key, window_start) do update set count = rate_limits.count + 1
    returning count`);
  const count = Number(rowsOf<{ count: number }>(result)[0]?.count ?? 1);
  if (count === 1 && Math.random() < 0.01) {
    // Rarely, on a new window, forget windows older than a day.
    await q.execute(sql`delete from rate_limits where window_start < ${now.getTime() - 86_400_000}`);
  }
  return { allowed: count <= limit, count, retryAfter: Math.ceil((windowStart + windowMs - now.getTime()) / 1000) };
}
