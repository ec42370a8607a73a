/** Documents of a person's file, content in PostgreSQL, every download audited (issue #4). */
import type { AppDeps } from '../context.ts';
import { createRouter } from '../router.ts';

export function documentRoutes(_deps: AppDeps) {
  const app = createRouter();
  return app;
}
