/** Resources: accredited providers, volunteer associations, occasional helpers, family assistants (issue #4). */
import type { AppDeps } from '../context.ts';
import { createRouter } from '../router.ts';

export function resourceRoutes(_deps: AppDeps) {
  const app = createRouter();
  return app;
}
