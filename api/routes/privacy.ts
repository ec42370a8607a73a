/** A person's data export and erasure (GDPR, issue #8). */
import type { AppDeps } from '../context.ts';
import { createRouter } from '../router.ts';

export function privacyRoutes(_deps: AppDeps) {
  return createRouter();
}
