/** Console pages for the dashboard and administration (issue #7). */
import { Hono } from 'hono';
import { romeDate } from '../../core/regulation/calendar.ts';
import { listComuni } from '../../db/comuni.ts';
import { unattendedEmergencies } from '../../db/reminders.ts';
import { dashboardData } from '../../db/reports.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { renderAdminBudget, renderAdminComuni, renderAdminHome, renderAdminImport, renderAdminResources, renderAdminStaff } from '../web/console/admin.ts';
import { renderDashboard } from '../web/console/dashboard.ts';
import { consolePageKit } from './console.ts';
import { reportScope } from './reports.ts';

export function consoleAdminRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const kit = consolePageKit(deps);
  const comuniOptions = async () => (await listComuni(db)).map((c) => ({ id: c.id, name: c.name }));
  const thisYear = () => Number(romeDate(deps.now()).slice(0, 4));

  return new Hono<AppEnv>()
    .get('/staff/dashboard', async (c) => {
      const page = await kit.pageFor(c, ['admin', 'social_worker']);
      if (page instanceof Response) return page;
      const current = thisYear();
      // Five years back and the next one; anything else falls back to this year (no 400 page).
      const years = Array.from({ length: 7 }, (_, i) => current + 1 - i);
      const asked = Number(c.req.query('year'));
      const year = years.includes(asked) ? asked : current;
      const data = await dashboardData(db, reportScope(page.staff), year, romeDate(deps.now()));
      const unattended = page.staff.role === 'admin' ? (await unattendedEmergencies(db, deps.now())).length : 0;
      return c.html(renderDashboard(deps.i18n, page.locale, page.staff, data, years, unattended));
    })
    .get('/staff/admin', async (c) => {
      const page = await kit.pageFor(c, ['admin']);
      if (page instanceof Response) return page;
      return c.html(renderAdminHome(deps.i18n, page.locale, page.staff));
    })
    .get('/staff/admin/staff', async (c) => {
      const page = await kit.pageFor(c, ['admin']);
      if (page instanceof Response) return page;
      return c.html(renderAdminStaff(deps.i18n, page.locale, page.staff, await comuniOptions()));
    })
    .get('/staff/admin/resources', async (c) => {
      const page = await kit.pageFor(c, ['admin']);
      if (page instanceof Response) return page;
      return c.html(renderAdminResources(deps.i18n, page.locale, page.staff, await comuniOptions()));
    })
    .get('/staff/admin/comuni', async (c) => {
      const page = await kit.pageFor(c, ['admin']);
      if (page instanceof Response) return page;
      return c.html(renderAdminComuni(deps.i18n, page.locale, page.staff, await comuniOptions()));
    })
    .get('/staff/admin/import', async (c) => {
      const page = await kit.pageFor(c, ['admin']);
      if (page instanceof Response) return page;
      return c.html(renderAdminImport(deps.i18n, page.locale, page.staff));
    })
    .get('/staff/admin/budget', async (c) => {
      const page = await kit.pageFor(c, ['admin']);
      if (page instanceof Response) return page;
      return c.html(renderAdminBudget(deps.i18n, page.locale, page.staff, thisYear()));
    });
}
