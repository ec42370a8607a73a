/** Console pages for the person file, programmes (with the printable care contract) and the provider view (issue #7). */
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';

export function consolePeopleRoutes(_deps: AppDeps) {
  return new Hono<AppEnv>();
}
