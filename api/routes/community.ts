/** Community resources: volunteer redemptions and family assistants (issue #9). */
import type { AppDeps } from '../context.ts';
import { createRouter } from '../router.ts';

export function communityRoutes(_deps: AppDeps) {
  return createRouter();
}
