/** Administration: staff users, comune settings, over-65 import, budgets and allocations (issue #4). */
import type { AppDeps } from '../context.ts';
import { createRouter } from '../router.ts';

export function adminRoutes(_deps: AppDeps) {
  const app = createRouter();
  return app;
}
