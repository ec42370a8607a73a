/**
 * Staff login and logout. Sessions live in the database (every instance sees them), the cookie
 * holds a random token, the table its keyed hash; a new session id at every login.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { hash, verify } from '@node-rs/argon2';
import { deleteCookie, setCookie } from 'hono/cookie';
import { DomainError } from '../../core/errors.ts';
import { recordAudit } from '../../db/audit.ts';
import { hitRateLimit, refundRateLimit } from '../../db/rate-limit.ts';
import type { HotQueries } from '../../db/hot-queries.ts';
import { deleteSession, findStaffByUsername, insertSession } from '../../db/staff.ts';
import { clientAddress } from '../client-address.ts';
import { createRouter } from '../router.ts';
import type { AppDeps } from '../context.ts';
import { sendError } from '../errors.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';
import { hmacHex, newToken } from '../security.ts';

export const STAFF_COOKIE = 'centrale_session';
/** However active, a session ends after this long: a shared office PC does not stay logged in. */
const SESSION_MAX_HOURS = 12;
export const LOGIN_LIMIT = { perUsername: 10, perAddress: 50, windowSeconds: 15 * 60 };

const StaffSchema = z
  .object({
    id: z.string().uuid(),
    username: z.string(),
    role: z.enum(['admin', 'social_worker', 'operator', 'provider']),
    displayName: z.string(),
    comuni: z.array(z.string()),
  })
  .openapi('Staff');

const login = createRoute({
  method: 'post',
  path: '/api/v1/auth/login',
  tags: ['Auth'],
  summary: 'Log in: sets the httpOnly session cookie',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({ username: z.string().trim().min(1).max(100), password: z.string().min(1).max(200) }),
        },
      },
    },
  },
  responses: {
    200: { description: 'Logged in', content: { 'application/json': { schema: z.object({ staff: StaffSchema }) } } },
    ...errorResponses(400, 401, 403, 413, 429),
  },
});

const logout = createRoute({
  method: 'post',
  path: '/api/v1/auth/logout',
  tags: ['Auth'],
  summary: 'Log out: ends the session',
  security: staffSecurity,
  responses: { 204: { description: 'Logged out' }, ...errorResponses(403) },
});

const me = createRoute({
  method: 'get',
  path: '/api/v1/auth/me',
  tags: ['Auth'],
  summary: 'Who is logged in',
  security: staffSecurity,
  responses: {
    200: { description: 'The logged-in staff member', content: { 'application/json': { schema: z.object({ staff: StaffSchema }) } } },
    ...errorResponses(401),
  },
});

// Verifying against a real hash when the user does not exist keeps the timing the same.
let dummyHash: Promise<string> | undefined;
const getDummyHash = () => (dummyHash ??= hash('centrale-dummy-password-for-timing'));

export function authRoutes(deps: AppDeps, hot: HotQueries) {
  const { db } = deps.database;
  return createRouter()
    .openapi(login, async (c) => {
      const { username, password } = c.req.valid('json');
      const now = deps.now();
      const address = clientAddress(c, deps.config.trustedProxies);
      const byUser = await hitRateLimit(db, `login:user:${username.toLowerCase()}`, LOGIN_LIMIT.perUsername, LOGIN_LIMIT.windowSeconds, now);
      const byAddress = await hitRateLimit(db, `login:addr:${address}`, LOGIN_LIMIT.perAddress, LOGIN_LIMIT.windowSeconds, now);
      if (!byUser.allowed || !byAddress.allowed) {
        c.header('Retry-After', String(Math.max(byUser.retryAfter, byAddress.retryAfter)));
        return sendError(c, deps.i18n, new DomainError('RATE_LIMITED', { key: 'errors:RATE_LIMITED' })) as never;
      }
      const user = await findStaffByUsername(db, username);
      const ok = user ? await verify(user.passwordHash, password) : (await verify(await getDummyHash(), password), false);
      if (!user || !ok || !user.active) {
        await recordAudit(db, { actorType: 'staff', actorId: user?.id ?? null, action: 'auth.login', outcome: 'denied', requestId: c.get('requestId') });
        return sendError(c, deps.i18n, new DomainError('UNAUTHORIZED', { key: 'errors:invalidCredentials' })) as never;
      }
      // A right password is no guess: neither counter keeps it (by user, so the address's other users still count).
      await refundRateLimit(db, `login:user:${username.toLowerCase()}`, LOGIN_LIMIT.windowSeconds, now);
      await refundRateLimit(db, `login:addr:${address}`, LOGIN_LIMIT.windowSeconds, now);
      const token = newToken();
      const expiresAt = new Date(now.getTime() + SESSION_MAX_HOURS * 3_600_000);
      await insertSession(db, { id: hmacHex(deps.sessionSecret, token), userId: user.id, now, expiresAt });
      await recordAudit(db, { actorType: 'staff', actorId: user.id, action: 'auth.login', requestId: c.get('requestId') });
      setCookie(c, STAFF_COOKIE, token, {
        httpOnly: true,
        sameSite: 'Lax',
        secure: deps.config.secureCookies,
        path: '/',
        maxAge: SESSION_MAX_HOURS * 3600,
      });
      const staff = (await hot.loadStaffIdentity(user.id))!;
      return c.json({ staff }, 200);
    })
    .openapi(logout, async (c) => {
      const key = c.get('staffSessionKey');
      if (key) await deleteSession(db, key);
      const staff = c.get('staff');
      if (staff) await recordAudit(db, { actorType: 'staff', actorId: staff.id, action: 'auth.logout', requestId: c.get('requestId') });
      deleteCookie(c, STAFF_COOKIE, { path: '/', secure: deps.config.secureCookies });
      return c.body(null, 204);
    })
    .openapi(me, (c) => {
      const staff = c.get('staff');
      if (!staff) return sendError(c, deps.i18n, new DomainError('UNAUTHORIZED', { key: 'errors:UNAUTHORIZED' })) as never;
      return c.json({ staff }, 200);
    });
}
