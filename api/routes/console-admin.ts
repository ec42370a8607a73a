/** Console pages for the dashboard and administration (issue #7). */
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';

export function consoleAdminRoutes(_deps: AppDeps) {
  return new Hono<AppEnv>();
}
