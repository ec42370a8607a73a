import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/admin.ts (see ./types.ts). */
export const adminAuthz: AuthzEntry[] = [];
