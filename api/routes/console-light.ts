/** Console page for light on-demand requests (issue #9): every staff role, and volunteer accounts. */
import { Hono } from 'hono';
import { listComuni } from '../../db/comuni.ts';
import { lightResourcesOf } from '../../db/community.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { renderLightRequests } from '../web/console/light-requests.ts';
import { consolePageKit } from './console.ts';

const LIGHT_PAGE_ROLES = ['admin', 'social_worker', 'operator', 'provider'] as const;

export function consoleLightRoutes(deps: AppDeps) {
  const kit = consolePageKit(deps);
  const { db } = deps.database;
  return new Hono<AppEnv>().get('/staff/light-requests', async (c) => {
    const page = await kit.pageFor(c, LIGHT_PAGE_ROLES);
    if (page instanceof Response) return page;
    const comuneNames = Object.fromEntries((await listComuni(db)).map((x) => [x.id, x.name]));
    // A volunteer account takes requests for its own active associations or helpers only (the API
    // refuses any other resource); a cooperative account has none and sees empty lists.
    const own = page.staff.role === 'provider' ? await lightResourcesOf(db, page.staff.resources) : [];
    const resources = own.filter((r) => r.active).map((r) => ({ id: r.id, name: r.name }));
    return c.html(renderLightRequests(deps.i18n, page.locale, page.staff, { comuneNames, resources }));
  });
}
