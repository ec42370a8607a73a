/** Check-ins with people living alone (issue #9). */
import type { AppDeps } from '../context.ts';
import { createRouter } from '../router.ts';

export function checkinRoutes(_deps: AppDeps) {
  return createRouter();
}
