/** Records born in chat: help requests, segnalazioni, link codes (issue #5). */
import type { AppDeps } from '../context.ts';
import { createRouter } from '../router.ts';

export function chatRecordRoutes(_deps: AppDeps) {
  const app = createRouter();
  return app;
}
