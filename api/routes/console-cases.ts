/** Console pages for segnalazioni, chat requests, applications (assessment form) and the waiting list (issue #7). */
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';

export function consoleCasesRoutes(_deps: AppDeps) {
  return new Hono<AppEnv>();
}
