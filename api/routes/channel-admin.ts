/** Staff routes for channels: outbound status, phone-link confirmation, staff contacts (issue #6). */
import type { AppDeps } from '../context.ts';
import { createRouter } from '../router.ts';

export function channelAdminRoutes(_deps: AppDeps) {
  return createRouter();
}
