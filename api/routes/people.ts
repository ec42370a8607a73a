/** People, delegates, consents and channel identities (issue #4). */
import type { AppDeps } from '../context.ts';
import { createRouter } from '../router.ts';

export function peopleRoutes(_deps: AppDeps) {
  const app = createRouter();
  return app;
}
