/** Applications, their status workflow, assessments, written answers and access-record changes (issue #4). */
import type { AppDeps } from '../context.ts';
import { createRouter } from '../router.ts';

export function applicationRoutes(_deps: AppDeps) {
  const app = createRouter();
  return app;
}
