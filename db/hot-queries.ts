/**
 * The lookups every request makes, prepared once per database handle: building a drizzle query
 * costs more than running it on these hot paths (web-chat session, staff session, staff identity).
 * Queries inside transactions are built per call; only these standalone reads are prepared.
 */
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { conversations, staffSessions, staffUserComuni, staffUserResources, staffUsers, webChatSessions } from './schema.ts';
import { createSessionCache } from './session-cache.ts';
import type { StaffIdentity } from './staff.ts';

interface LiveSession {
  lastSeenAt: Date;
  expiresAt: Date;
  staff: StaffIdentity;
}

export type HotQueries = ReturnType<typeof prepareHotQueries>;

export function prepareHotQueries(db: Db) {
  const webSession = db
    .select({ tokenHash: webChatSessions.tokenHash, conversationId: webChatSessions.conversationId, locale: conversations.locale })
    .from(webChatSessions)
    .innerJoin(conversations, eq(conversations.id, webChatSessions.conversationId))
    .where(eq(webChatSessions.id, sql.placeholder('id')))
    .prepare('hot_web_chat_session');
  // Session and identity in one round trip: every staff request starts here.
  const staffSession = db
    .select({
      userId: staffSessions.userId,
      lastSeenAt: staffSessions.lastSeenAt,
      expiresAt: staffSessions.expiresAt,
      username: staffUsers.username,
      role: staffUsers.role,
      displayName: staffUsers.displayName,
      comuni: sql<string[]>`array(select ${staffUserComuni.comuneId} from ${staffUserComuni} where ${staffUserComuni.userId} = ${staffUsers.id} order by 1)`,
      resources: sql<string[]>`array(select ${staffUserResources.resourceId}::text from ${staffUserResources} where ${staffUserResources.userId} = ${staffUsers.id} order by 1)`,
    })
    .from(staffSessions)
    .innerJoin(staffUsers, eq(staffUsers.id, staffSessions.userId))
    .where(
      and(
        eq(staffSessions.id, sql.placeholder('id')),
        eq(staffUsers.active, true),
        gt(staffSessions.expiresAt, sql`${sql.placeholder('now')}::timestamptz`),
        gt(staffSessions.lastSeenAt, sql`${sql.placeholder('idleSince')}::timestamptz`),
      ),
    )
    .prepare('hot_staff_session');
  const staffUser = db
    .select({ id: staffUsers.id, username: staffUsers.username, role: staffUsers.role, displayName: staffUsers.displayName, active: staffUsers.active })
    .from(staffUsers)
    .where(eq(staffUsers.id, sql.placeholder('id')))
    .prepare('hot_staff_user');
  const staffComuni = db
    .select({ comuneId: staffUserComuni.comuneId })
    .from(staffUserComuni)
    .where(eq(staffUserComuni.userId, sql.placeholder('id')))
    .prepare('hot_staff_user_comuni');
  const staffResources = db
    .select({ resourceId: staffUserResources.resourceId })
    .from(staffUserResources)
    .where(eq(staffUserResources.userId, sql.placeholder('id')))
    .prepare('hot_staff_user_resources');

  const sessions = createSessionCache<LiveSession>();

  return {
    async findWebChatSession(id: string) {
      return (await webSession.execute({ id }))[0];
    },
    /** The live session (neither idle since `idleSince` nor past its absolute expiry) of an active user, with who they are. */
    async findLiveStaffSession(id: string, now: Date, idleSince: Date): Promise<{ lastSeenAt: Date; staff: StaffIdentity } | undefined> {
      const cached = sessions.get(id);
      if (cached && cached.lastSeenAt > idleSince && cached.expiresAt > now) return cached;
      const [row] = await staffSession.execute({ id, now: now.toISOString(), idleSince: idleSince.toISOString() });
      if (!row) {
        sessions.delete(id);
        return undefined;
      }
      // PGlite and postgres.js both return text[] as arrays; a driver returning the literal is parsed defensively.
      const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' && v.length > 2 ? v.slice(1, -1).split(',') : []);
      const live: LiveSession = {
        lastSeenAt: row.lastSeenAt,
        expiresAt: row.expiresAt,
        staff: { id: row.userId, username: row.username, role: row.role, displayName: row.displayName, comuni: list(row.comuni), resources: row.role === 'provider' ? list(row.resources) : [] },
      };
      sessions.set(id, live);
      return live;
    },
    /** The session was touched (lastSeenAt written): the cached copy follows. */
    sessionTouched(id: string, at: Date) {
      const cached = sessions.get(id);
      if (cached) sessions.set(id, { ...cached, lastSeenAt: at });
    },
    async loadStaffIdentity(userId: string): Promise<StaffIdentity | undefined> {
      const [user] = await staffUser.execute({ id: userId });
      if (!user || !user.active) return undefined;
      const comuni = await staffComuni.execute({ id: userId });
      const resources = user.role === 'provider' ? await staffResources.execute({ id: userId }) : [];
      return {
        id: user.id,
        username: user.username,
        role: user.role,
        displayName: user.displayName,
        comuni: comuni.map((c) => c.comuneId).sort(),
        resources: resources.map((r) => r.resourceId).sort(),
      };
    },
  };
}
