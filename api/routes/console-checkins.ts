/** Console page for today's check-ins (issue #9): admin, social workers and operators (custodi sociali). */
import { Hono } from 'hono';
import { renderCheckinsPage } from '../web/console/checkins.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { consolePageKit } from './console.ts';
import { CHECKIN_ROLES } from './checkins.ts';
import { isUuid } from '../scope.ts';

export function consoleCheckinRoutes(deps: AppDeps) {
  const kit = consolePageKit(deps);
  return new Hono<AppEnv>().get('/staff/checkins', async (c) => {
    const page = await kit.pageFor(c, CHECKIN_ROLES);
    if (page instanceof Response) return page;
    const person = c.req.query('person');
    return c.html(renderCheckinsPage(deps.i18n, page.locale, page.staff, person && isUuid(person) ? person : undefined));
  });
}
