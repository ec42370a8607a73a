/** Console page for today's check-ins (issue #9). */
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';

export function consoleCheckinRoutes(_deps: AppDeps) {
  return new Hono<AppEnv>();
}
