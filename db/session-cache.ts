/**
 * A two-second memory of live staff sessions, so that the burst of API calls a console page makes
 * costs one session lookup instead of one each. Anything that ends a session or changes who a
 * staff member is (logout, deactivation, role, comuni, resources) clears it at once on this
 * instance and, through a Postgres NOTIFY, on every other instance; the short lifetime bounds
 * staleness should a notification ever be missed.
 */
import { notify, type Queryable } from './client.ts';

export const SESSIONS_CHANNEL = 'centrale_staff_sessions';
export const SESSION_CACHE_MS = 2_000;
const MAX_ENTRIES = 10_000;

const caches = new Set<Map<string, unknown>>();

export interface SessionCache<T> {
  get(key: string): T | undefined;
  set(key: string, value: T): void;
  delete(key: string): void;
}

export function createSessionCache<T>(clock: () => number = () => performance.now()): SessionCache<T> {
  const map = new Map<string, { value: T; at: number }>();
  caches.add(map as Map<string, unknown>);
  return {
    get(key) {
      const hit = map.get(key);
      if (!hit) return undefined;
      if (clock() - hit.at > SESSION_CACHE_MS) {
        map.delete(key);
        return undefined;
      }
      return hit.value;
    },
    set(key, value) {
      if (map.size >= MAX_ENTRIES) map.clear();
      map.set(key, { value, at: clock() });
    },
    delete(key) {
      map.delete(key);
    },
  };
}

/** Forgets every cached session of this process (the NOTIFY listener and local changes call it). */
export function forgetStaffSessions(): void {
  for (const map of caches) map.clear();
}

/** Call inside the transaction that ends sessions or changes a staff member. */
export async function staffSessionsChanged(q: Queryable): Promise<void> {
  forgetStaffSessions();
  await notify(q, SESSIONS_CHANNEL, 'changed');
}
