import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/reports.ts (see ./types.ts). */
export const reportsAuthz: AuthzEntry[] = [];
