/**
 * The staff console at /staff (issue #7): server-rendered pages, Italian first (`?lang=en`).
 *
 * Writes never go through these pages: console.js calls the JSON API (/api/v1/…), whose
 * cookie-authenticated writes are refused from a foreign Origin (api/app.ts) and need a JSON
 * content type that a cross-site HTML form cannot send; the session cookie is SameSite=Lax.
 * That is the console's CSRF protection, so the pages carry no token of their own.
 */
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { listComuni } from '../../db/comuni.ts';
import { findConsoleStaff, INBOX_ROLES } from '../../db/inbox.ts';
import { unattendedEmergencies } from '../../db/reminders.ts';
import type { StaffIdentity } from '../../db/staff.ts';
import { asLocale, type Locale } from '../../locales/index.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { STAFF_COOKIE } from './auth.ts';
import { hmacHex, isUuid } from '../security.ts';
import { unattendedBanner } from '../web/console/dashboard.ts';
import { NAV, renderConversation, renderForbidden, renderInbox, renderLogin } from '../web/console/pages.ts';

const VIEWS = ['unassigned', 'mine', 'all'] as const;

/**
 * What every console page module needs: who is signed in (from the session cookie), the page
 * language, the redirect to the login, and a role gate that renders the Forbidden page.
 * Page modules (api/routes/console-*.ts) use it so that every page behaves the same way.
 */
export function consolePageKit(deps: AppDeps) {
  const { db } = deps.database;

  async function staffOf(c: Context<AppEnv>): Promise<StaffIdentity | undefined> {
    const token = getCookie(c, STAFF_COOKIE);
    if (!token || token.length > 200) return undefined;
    const now = deps.now();
    return findConsoleStaff(db, hmacHex(deps.sessionSecret, token), now, new Date(now.getTime() - deps.config.sessionIdleMinutes * 60_000));
  }

  const localeOf = (c: Context<AppEnv>): Locale => asLocale(c.req.query('lang'));
  const toLogin = (c: Context<AppEnv>) => {
    const next = c.req.path + (c.req.query('view') ? `?view=${encodeURIComponent(c.req.query('view')!)}` : '');
    return c.redirect(`/staff/login?lang=${localeOf(c)}&next=${encodeURIComponent(next)}`, 302);
  };
  const noStore = (c: Context<AppEnv>) => c.header('cache-control', 'no-store');

  /**
   * Signs the page in: a redirect to the login without a session, the Forbidden page (403) for a
   * role not in `roles`, otherwise the staff member (and the page is marked no-store).
   */
  async function pageFor(c: Context<AppEnv>, roles: readonly StaffIdentity['role'][]): Promise<{ staff: StaffIdentity; locale: Locale } | Response> {
    const staff = await staffOf(c);
    if (!staff) return toLogin(c);
    noStore(c);
    const locale = localeOf(c);
    if (!roles.includes(staff.role)) return c.html(renderForbidden(deps.i18n, locale, staff), 403);
    return { staff, locale };
  }

  return { staffOf, localeOf, toLogin, noStore, pageFor };
}

export function consoleRoutes(deps: AppDeps) {
  const { staffOf, localeOf, toLogin, noStore } = consolePageKit(deps);
  const mayUseInbox = (staff: StaffIdentity) => (INBOX_ROLES as readonly string[]).includes(staff.role);
  // Shown instead of the comune's id next to each conversation.
  const comuneNames = async () => Object.fromEntries((await listComuni(deps.database.db)).map((x) => [x.id, x.name]));

  return new Hono<AppEnv>()
    .get('/staff', async (c) => {
      const staff = await staffOf(c);
      if (!staff) return toLogin(c);
      // The inbox for whoever answers people (admins see there the emergencies that alerted
      // nobody); else the first area of the menu the role may use (a cooperative: its calendar).
      const home = mayUseInbox(staff) ? '/staff/inbox' : (NAV.find((n) => n.roles.includes(staff.role))?.href ?? '/staff/inbox');
      return c.redirect(`${home}?lang=${localeOf(c)}`, 302);
    })
    .get('/staff/login', (c) => {
      // Only a local path may follow the login (no open redirect). Without one, /staff opens the
      // role's own first page (a cooperative has no inbox: it landed on "not available").
      const raw = c.req.query('next') ?? '';
      const next = /^\/staff(\/[A-Za-z0-9/_-]*)?(\?view=[a-z]+)?$/.test(raw) ? raw : '/staff';
      noStore(c);
      return c.html(renderLogin(deps.i18n, localeOf(c), next));
    })
    .get('/staff/inbox', async (c) => {
      const staff = await staffOf(c);
      if (!staff) return toLogin(c);
      noStore(c);
      if (!mayUseInbox(staff)) return c.html(renderForbidden(deps.i18n, localeOf(c), staff), 403);
      const requested = c.req.query('view');
      const view = VIEWS.find((v) => v === requested) ?? 'all';
      // Admins see emergencies that alerted nobody (db/reminders.ts) where they land after login.
      const unattended = staff.role === 'admin' ? (await unattendedEmergencies(deps.database.db, deps.now())).length : 0;
      return c.html(renderInbox(deps.i18n, localeOf(c), staff, view, await comuneNames(), unattendedBanner(deps.i18n, localeOf(c), unattended)));
    })
    .get('/staff/conversations/:id', async (c) => {
      const staff = await staffOf(c);
      if (!staff) return toLogin(c);
      noStore(c);
      if (!mayUseInbox(staff)) return c.html(renderForbidden(deps.i18n, localeOf(c), staff), 403);
      const id = c.req.param('id');
      // The page is a shell; the transcript comes from the audited, scope-checked API.
      return c.html(renderConversation(deps.i18n, localeOf(c), staff, isUuid(id) ? id : '00000000-0000-0000-0000-000000000000', await comuneNames()), 200);
    });
}
