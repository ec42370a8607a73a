/** Dashboard figures and CSV exports (issue #7). */
import type { AppDeps } from '../context.ts';
import { createRouter } from '../router.ts';

export function reportRoutes(_deps: AppDeps) {
  return createRouter();
}
