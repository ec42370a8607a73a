/** Staff accounts, their comuni and their sessions. */
import { eq, sql } from 'drizzle-orm';
import type { Queryable } from './client.ts';
import { staffSessionsChanged } from './session-cache.ts';
import { staffSessions, staffUserComuni, staffUsers, type StaffRole } from './schema.ts';

export interface StaffIdentity {
  id: string;
  username: string;
  role: StaffRole;
  displayName: string;
  comuni: string[];
  /** Provider accounts only: the resources (cooperatives) they work for; their programmes and visits are their scope. */
  resources: string[];
}

export async function findStaffByUsername(q: Queryable, username: string) {
  const [row] = await q
    .select({ id: staffUsers.id, passwordHash: staffUsers.passwordHash, active: staffUsers.active })
    .from(staffUsers)
    .where(sql`lower(${staffUsers.username}) = lower(${username})`);
  return row;
}

export async function createStaffUser(
  q: Queryable,
  input: { username: string; passwordHash: string; role: StaffRole; displayName: string; comuni: string[] },
): Promise<string> {
  const [row] = await q
    .insert(staffUsers)
    .values({ username: input.username, passwordHash: input.passwordHash, role: input.role, displayName: input.displayName })
    .returning({ id: staffUsers.id });
  if (input.comuni.length > 0) {
    await q.insert(staffUserComuni).values(input.comuni.map((comuneId) => ({ userId: row!.id, comuneId })));
  }
  return row!.id;
}

export async function insertSession(q: Queryable, input: { id: string; userId: string; now: Date; expiresAt: Date }) {
  await q.insert(staffSessions).values({ id: input.id, userId: input.userId, createdAt: input.now, lastSeenAt: input.now, expiresAt: input.expiresAt });
}

export async function touchSession(q: Queryable, id: string, now: Date) {
  await q.update(staffSessions).set({ lastSeenAt: now }).where(eq(staffSessions.id, id));
}

export async function deleteSession(q: Queryable, id: string) {
  await q.delete(staffSessions).where(eq(staffSessions.id, id));
  await staffSessionsChanged(q);
}
