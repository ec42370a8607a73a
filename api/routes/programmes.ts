/** Programmes, visits, suspensions, evaluations, the voucher ledger, fees and payments (issue #4). */
import type { AppDeps } from '../context.ts';
import { createRouter } from '../router.ts';

export function programmeRoutes(_deps: AppDeps) {
  const app = createRouter();
  return app;
}
