/**
 * Fixed-window attempt counters in Postgres, so every instance sees the same counts.
 * One upsert per attempt; old windows are swept opportunistically.
 *
 * Limits are configurable (config.ts RATE_LIMIT_* variables, table in docs/security.md): callers
 * pass their built-in default, and a configured policy for the key's prefix replaces it. The
 * policies are set once per process by createApp (one app per process in production).
 */
import { sql } from 'drizzle-orm';
import type { RateLimitConfig, RateLimitName, RateLimitPolicy } from '../config.ts';
import { rowsOf, type Queryable } from './client.ts';

export { DEFAULT_RATE_LIMITS } from '../config.ts';

export interface RateLimitResult {
  allowed: boolean;
  count: number;
  /** Seconds until the window ends. */
  retryAfter: number;
}

/** Every rate-limited action, by the prefix of its counter key. */
export const RATE_LIMIT_KEYS: Record<RateLimitName, string> = {
  loginPerUsername: 'login:user:',
  loginPerAddress: 'login:addr:',
  chatSessionsPerAddress: 'chat:create:',
  linkPerConversation: 'link:conv:',
  linkPerAddress: 'link:addr:',
  linkPerOrigin: 'link:origin:',
  linkOverall: 'link:all',
};

let configured: RateLimitConfig | undefined;

/** Sets the process's limits (createApp calls it with config.rateLimits). */
export function configureRateLimits(limits: RateLimitConfig | undefined): void {
  configured = limits;
}

/** The configured policy for a counter key, if one applies. */
export function policyFor(key: string): RateLimitPolicy | undefined {
  if (!configured) return undefined;
  for (const [name, prefix] of Object.entries(RATE_LIMIT_KEYS) as [RateLimitName, string][]) {
    if (key.startsWith(prefix)) return configured[name];
  }
  return undefined;
}

export async function hitRateLimit(
  q: Queryable,
  key: string,
  defaultLimit: number,
  defaultWindowSeconds: number,
  now: Date,
): Promise<RateLimitResult> {
  const policy = policyFor(key);
  const limit = policy?.limit ?? defaultLimit;
  const windowMs = (policy?.windowSeconds ?? defaultWindowSeconds) * 1000;
  const windowStart = Math.floor(now.getTime() / windowMs) * windowMs;
  const result = await q.execute(sql`
    insert into rate_limits (key, window_start, count) values (${key}, ${windowStart}, 1)
    on conflict (key, window_start) do update set count = rate_limits.count + 1
    returning count`);
  const count = Number(rowsOf<{ count: number }>(result)[0]?.count ?? 1);
  if (count === 1 && Math.random() < 0.01) {
    // Rarely, on a new window, forget windows older than a day (config.ts caps windows at a day).
    await q.execute(sql`delete from rate_limits where window_start < ${now.getTime() - 86_400_000}`);
  }
  return { allowed: count <= limit, count, retryAfter: Math.ceil((windowStart + windowMs - now.getTime()) / 1000) };
}

/**
 * Gives back an attempt counted by hitRateLimit in the same window: a successful login is no
 * guess, so signing in ten times a morning (two devices, session timeouts) never locks anyone out.
 * Counted before checking, then refunded, so parallel guesses are still all counted.
 */
export async function refundRateLimit(q: Queryable, key: string, defaultWindowSeconds: number, now: Date): Promise<void> {
  const windowMs = (policyFor(key)?.windowSeconds ?? defaultWindowSeconds) * 1000;
  const windowStart = Math.floor(now.getTime() / windowMs) * windowMs;
  await q.execute(sql`update rate_limits set count = count - 1 where key = ${key} and window_start = ${windowStart} and count > 0`);
}
